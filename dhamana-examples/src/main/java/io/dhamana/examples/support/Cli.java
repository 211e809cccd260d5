package io.dhamana.examples.support;

import io.dhamana.InvalidRequestException;

import java.io.PrintStream;

/**
 * What every example's {@code main} does around its own work, in one place: parse the command line against the
 * options the usage line names (plus the store options of {@link ExampleStores#usage()}), answer {@code --help},
 * and turn a bad command line into {@code error: <message>} and the usage line on stderr with exit status 2,
 * instead of a stack trace. An app that returns false (its rule did not hold) exits with status 1.
 *
 * <p>Any {@link IllegalArgumentException} or {@link InvalidRequestException} from the app counts as a bad command
 * line: the examples validate their options by throwing the first, and the SDK refuses an argument out of its range
 * (such as 100 buckets) with the second before any transaction starts.
 */
public final class Cli {
    /** Exit status for a bad command line. */
    public static final int USAGE_ERROR = 2;

    /** An app's work: true when everything it checks held. */
    @FunctionalInterface
    public interface App {
        boolean run(Args args) throws Exception;
    }

    private Cli() {}

    /**
     * Runs {@code app} as a main and exits with a non-zero status when it fails.
     *
     * @param usage the app's name and own options, for example {@code "BreakItApp [--buyers 60] [--gap-ms 5]"}
     */
    public static void main(String[] argv, String usage, App app) throws Exception {
        int status = run(argv, usage, app, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** As {@link #main}, returning the exit status instead of exiting. */
    public static int run(String[] argv, String usage, App app, PrintStream out, PrintStream err) throws Exception {
        String line = usage + " " + ExampleStores.usage();
        try {
            Args args = Args.parse(argv, Args.optionsIn(line));
            if (args.flag("help")) {
                out.println(line);
                return 0;
            }
            return app.run(args) ? 0 : 1;
        } catch (IllegalArgumentException | InvalidRequestException e) {
            err.println("error: " + e.getMessage());
            err.println("usage: " + line);
            return USAGE_ERROR;
        }
    }
}
