package io.dhamana.internal;

import io.dhamana.InvalidRequestException;
import io.dhamana.Limits;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/** Argument checks with exact messages; every public entry point validates through these before touching a store. */
public final class Checks {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@+-]*");

    private Checks() {}

    public static String id(String argument, String value) {
        if (value == null) {
            throw new InvalidRequestException(argument, "must not be null");
        }
        if (value.isBlank()) {
            throw new InvalidRequestException(argument, "must not be blank");
        }
        if (value.length() > Limits.MAX_ID_LENGTH) {
            throw new InvalidRequestException(argument,
                    "must be at most " + Limits.MAX_ID_LENGTH + " characters, was " + value.length());
        }
        if (!ID.matcher(value).matches()) {
            throw new InvalidRequestException(argument,
                    "may hold only letters, digits and . _ : @ + - and must start with a letter or digit, was '"
                            + abbreviate(value) + "'");
        }
        return value;
    }

    public static <T> T notNull(String argument, T value) {
        if (value == null) {
            throw new InvalidRequestException(argument, "must not be null");
        }
        return value;
    }

    public static UUID uuid(String argument, String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidRequestException(argument, "must not be null or blank");
        }
        try {
            if (text.length() != 36) {
                throw new IllegalArgumentException("length");
            }
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(argument, "is not a UUID: '" + abbreviate(text) + "'");
        }
    }

    public static int range(String argument, int value, int min, int max) {
        if (value < min || value > max) {
            throw new InvalidRequestException(argument,
                    "must be between " + min + " and " + max + ", was " + value);
        }
        return value;
    }

    public static long range(String argument, long value, long min, long max) {
        if (value < min || value > max) {
            throw new InvalidRequestException(argument,
                    "must be between " + min + " and " + max + ", was " + value);
        }
        return value;
    }

    /** A count or an amount with no upper bound of its own. */
    public static long notNegative(String argument, long value) {
        if (value < 0) {
            throw new InvalidRequestException(argument, "must not be negative, was " + value);
        }
        return value;
    }

    public static long price(String argument, long minorUnits) {
        if (minorUnits < 0) {
            throw new InvalidRequestException(argument, "must not be negative, was " + minorUnits);
        }
        if (minorUnits > Limits.MAX_PRICE_MINOR) {
            throw new InvalidRequestException(argument,
                    "must be at most " + Limits.MAX_PRICE_MINOR + " minor units, was " + minorUnits);
        }
        return minorUnits;
    }

    /** Free text (names, reasons): not null, not blank, bounded, no control characters. */
    public static String text(String argument, String value, int maxLength) {
        if (value == null) {
            throw new InvalidRequestException(argument, "must not be null");
        }
        if (value.isBlank()) {
            throw new InvalidRequestException(argument, "must not be blank");
        }
        if (value.length() > maxLength) {
            throw new InvalidRequestException(argument,
                    "must be at most " + maxLength + " characters, was " + value.length());
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new InvalidRequestException(argument, "must not contain control characters");
            }
        }
        return wellFormed(argument, value);
    }

    /**
     * Refuses text with an unpaired UTF-16 surrogate: it has no UTF-8 form, so a database would store something
     * else (pgjdbc sends {@code ?}) and the text would not come back as it was given.
     */
    static String wellFormed(String argument, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new InvalidRequestException(argument, "must be well-formed Unicode, but has an unpaired"
                        + " surrogate at index " + i);
            }
        }
        return value;
    }

    /** Evidence links: absolute http(s) URIs with a host, bounded in length. */
    public static URI evidence(String argument, URI uri) {
        notNull(argument, uri);
        String text = uri.toString();
        if (text.length() > Limits.MAX_URL_LENGTH) {
            throw new InvalidRequestException(argument,
                    "must be at most " + Limits.MAX_URL_LENGTH + " characters, was " + text.length());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new InvalidRequestException(argument, "must be an http or https URL, was '" + abbreviate(text) + "'");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw new InvalidRequestException(argument, "must name a host, was '" + abbreviate(text) + "'");
        }
        wellFormed(argument, text);
        return uri;
    }

    public static URI evidence(String argument, String text) {
        notNull(argument, text);
        try {
            return evidence(argument, new URI(text));
        } catch (URISyntaxException e) {
            throw new InvalidRequestException(argument, "is not a URL: '" + abbreviate(text) + "'");
        }
    }

    public static Duration duration(String argument, Duration value, Duration min, Duration max) {
        notNull(argument, value);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new InvalidRequestException(argument,
                    "must be between " + min + " and " + max + ", was " + value);
        }
        return value;
    }

    /** Shortens caller input before it goes into a message. */
    public static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
