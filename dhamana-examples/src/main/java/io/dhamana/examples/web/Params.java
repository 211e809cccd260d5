package io.dhamana.examples.web;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The parameters of one request ({@code application/x-www-form-urlencoded}, from the query string or a POST body),
 * checked before anything reads them: each endpoint names the parameters it accepts, and an unknown, repeated,
 * missing or malformed one is a {@link ApiError#badRequest bad request} with a message that says what was expected.
 */
final class Params {
    /** Longest raw value we look at; anything longer is refused before it is decoded further. */
    private static final int MAX_VALUE_LENGTH = 64;
    private static final int MAX_PARAMETERS = 8;
    private static final Pattern CANONICAL_UUID =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final Map<String, String> values;

    private Params(Map<String, String> values) {
        this.values = values;
    }

    /**
     * Parses {@code text} (may be empty) and refuses any parameter outside {@code allowed}.
     *
     * @throws ApiError if the text is malformed, too long, or names an unknown or repeated parameter
     */
    static Params parse(String text, Set<String> allowed) {
        Map<String, String> values = new HashMap<>();
        if (text != null && !text.isEmpty()) {
            String[] pairs = text.split("&", -1);
            if (pairs.length > MAX_PARAMETERS) {
                throw ApiError.badRequest("too many parameters (at most " + MAX_PARAMETERS + ")");
            }
            for (String pair : pairs) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                if (!allowed.contains(name)) {
                    throw ApiError.badRequest("unknown parameter '" + shorten(name) + "'; this endpoint takes "
                            + (allowed.isEmpty() ? "no parameters" : String.join(", ", allowed.stream().sorted()
                            .toList())));
                }
                if (value.length() > MAX_VALUE_LENGTH) {
                    throw ApiError.badRequest(name + " is too long (at most " + MAX_VALUE_LENGTH + " characters)");
                }
                if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == '\uFFFD')) {
                    throw ApiError.badRequest(name + " holds control characters or malformed UTF-8");
                }
                if (values.putIfAbsent(name, value) != null) {
                    throw ApiError.badRequest(name + " is given more than once");
                }
            }
        }
        return new Params(values);
    }

    private static String decode(String raw) {
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("malformed percent-encoding in the parameters");
        }
    }

    /** The raw value, which must be present and non-blank. */
    String required(String name) {
        String v = values.get(name);
        if (v == null || v.isBlank()) {
            throw ApiError.badRequest(name + " is required");
        }
        return v;
    }

    /** Whether the parameter was given. */
    boolean has(String name) {
        return values.containsKey(name);
    }

    /** A whole number in {@code [min, max]}; {@code fallback} when absent. */
    int integer(String name, int min, int max, int fallback) {
        return has(name) ? integer(name, min, max) : fallback;
    }

    /** A required whole number in {@code [min, max]}. */
    int integer(String name, int min, int max) {
        return (int) longValue(name, min, max);
    }

    /** A required whole number in {@code [min, max]}. */
    long longValue(String name, long min, long max) {
        String v = required(name);
        long n;
        try {
            if (!v.matches("-?[0-9]{1,18}")) {
                throw new NumberFormatException();
            }
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw ApiError.badRequest(name + " must be a whole number from " + min + " to " + max + ", was '"
                    + shorten(v) + "'");
        }
        if (n < min || n > max) {
            throw ApiError.badRequest(name + " must be from " + min + " to " + max + ", was " + n);
        }
        return n;
    }

    /** One of {@code choices} (case-insensitive), returned in lower case. */
    String choice(String name, Set<String> choices, String fallback) {
        if (!has(name)) {
            return fallback;
        }
        String v = required(name).toLowerCase(Locale.ROOT);
        if (!choices.contains(v)) {
            throw ApiError.badRequest(name + " must be one of " + String.join(", ", choices.stream().sorted().toList())
                    + ", was '" + shorten(v) + "'");
        }
        return v;
    }

    /** A UUID in canonical lower-case form. */
    UUID uuid(String name) {
        String v = required(name);
        if (!CANONICAL_UUID.matcher(v).matches()) {
            throw ApiError.badRequest(name + " must be a UUID like 0190b7a4-5c1e-7c3a-9f00-1234567890ab, was '"
                    + shorten(v) + "'");
        }
        return UUID.fromString(v);
    }

    /** Echoes caller text in a message safely: short, and printable ASCII only. */
    static String shorten(String s) {
        String t = s.length() > 24 ? s.substring(0, 24) + "..." : s;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
