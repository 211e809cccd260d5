package io.dhamana.examples.support;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A tiny {@code --name value} / {@code --flag} parser for the examples' command lines. Each app names the options it
 * accepts, so a misspelt option is refused instead of silently ignored; {@code --help} is always accepted.
 */
public final class Args {
    private static final Pattern OPTION = Pattern.compile("--([a-z][a-z0-9-]*)");

    private final Map<String, String> values = new HashMap<>();
    /** Options given without a value ({@code --flag}, or a last {@code --name}). */
    private final Set<String> bare = new HashSet<>();

    private Args() {}

    /**
     * Parses {@code argv}, accepting only the options named in {@code known} (without their {@code --}) and
     * {@code --help}.
     *
     * @throws IllegalArgumentException for a stray word or an option not in {@code known}, naming the known ones
     */
    public static Args parse(String[] argv, Set<String> known) {
        Args a = new Args();
        for (int i = 0; i < argv.length; i++) {
            String arg = argv[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'; options look like --name value");
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
                value = argv[++i];
            }
            if (!name.equals("help") && !known.contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name + "; known options: "
                        + known.stream().map(k -> "--" + k).collect(Collectors.joining(", ")) + ", --help");
            }
            if (value == null) {
                a.bare.add(name);
                a.values.put(name, "true");
            } else {
                a.bare.remove(name);
                a.values.put(name, value);
            }
        }
        return a;
    }

    /**
     * The option names a usage line mentions, in order: every {@code --name} in it. Lets an app declare its options
     * once, in the usage line it prints.
     */
    public static Set<String> optionsIn(String usage) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = OPTION.matcher(usage);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    public String string(String name, String fallback) {
        return has(name) ? value(name) : fallback;
    }

    public int integer(String name, int fallback) {
        if (!has(name)) {
            return fallback;
        }
        String v = value(name);
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, was '" + v + "'");
        }
    }

    public boolean flag(String name) {
        String v = values.get(name);
        if (v == null) {
            return false;
        }
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(v);
        }
        throw new IllegalArgumentException("--" + name + " takes no value (or =true, =false), was '" + v + "'");
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    private String value(String name) {
        if (bare.contains(name)) {
            throw new IllegalArgumentException("--" + name + " needs a value");
        }
        return values.get(name);
    }
}
