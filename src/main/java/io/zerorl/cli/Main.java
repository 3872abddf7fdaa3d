package io.zerorl.cli;

import io.zerorl.util.ZerorlException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;

/** The {@code zerorl} command line. Each subcommand is a {@code Callable<Integer>} in this package. */
@Command(name = "zerorl", mixinStandardHelpOptions = true, version = "zerorl 0.1.0",
        description = "R1-Zero-style GRPO post-training of reasoning language models on the JVM.",
        subcommands = {CommandLine.HelpCommand.class, InspectCommand.class, ForwardCommand.class,
            DatasetsCommand.class, RewardsCommand.class, EvalCommand.class, TrainCommand.class, DistillCommand.class, DistillDemoCommand.class,
            ExportCommand.class, BenchTrainMemoryCommand.class, ReportCommand.class, GenerateCommand.class,
            BenchCommand.class, PretrainCommand.class, QuickstartCommand.class, PlanCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 failure inside a command, 2 bad usage or bad input, 3 plan: does not fit.",
            "", "Examples:",
            "  ./zerorl quickstart",
            "  ./zerorl train recipes/qwen2-tiny/grpo/toy.yaml --set train.steps=5",
            "  ./zerorl eval --help"})
public final class Main implements Runnable {
    /** Exit codes: 0 ok, 1 failure inside a command, 2 bad usage or bad input. */
    public static final int EXIT_BAD_INPUT = 2;
    /** Columns of the usage help. */
    static final int USAGE_WIDTH = 100;

    @Option(names = "--verbose", description = "Print stack traces on errors.", scope = CommandLine.ScopeType.INHERIT)
    boolean verbose;

    @Option(names = "--no-progress", description = "Plain progress lines instead of live bars on a terminal"
            + " (also: ZERORL_NO_PROGRESS=1).", scope = CommandLine.ScopeType.INHERIT)
    boolean noProgress;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        Offline.configure();
        return commandLine().execute(args);
    }

    /** The command tree with its error handling: one readable line per error, stack traces only with --verbose. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        // the examples are copied into shells: at 100 columns picocli breaks none of them
        cli.setUsageHelpWidth(USAGE_WIDTH);
        // picocli's own help command cannot be annotated; its examples are added here
        cli.getSubcommands().get("help").getCommandSpec().usageMessage().footer("", "Examples:",
                "  ./zerorl help train", "  ./zerorl help eval");
        cli.setExecutionStrategy(parsed -> {
            Progress.plainOnly(matched(parsed, "--no-progress"));
            return new CommandLine.RunLast().execute(parsed);
        });
        cli.setParameterExceptionHandler((ex, args) -> {
            // a usage error: the message and where to read the usage, not the whole usage text
            CommandLine cmd = ex.getCommandLine();
            String hint = "";
            if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
                List<String> s = u.getSuggestions();
                hint = "; did you mean " + String.join(" or ", s.subList(0, Math.min(3, s.size()))) + "?";
            }
            cmd.getErr().println("error: " + ex.getMessage() + hint + " (see: " + cmd.getCommandSpec().qualifiedName()
                    + " --help)");
            if (List.of(args).contains("--verbose")) {
                ex.printStackTrace(cmd.getErr());
            }
            cmd.getErr().flush();
            return EXIT_BAD_INPUT;
        });
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            boolean verbose = matched(parsed, "--verbose");
            if (verbose) {
                ex.printStackTrace(cmd.getErr());
            }
            if (ex instanceof ZerorlException) {
                cmd.getErr().println("error: " + ex.getMessage());
                return EXIT_BAD_INPUT;
            }
            cmd.getErr().println("error: " + ex + (verbose ? "" : " (run with --verbose for the stack trace)"));
            return 1;
        });
        return cli;
    }

    /** Whether an inherited option was given, on the root or on any (sub)subcommand. */
    private static boolean matched(CommandLine.ParseResult parsed, String option) {
        if (parsed.matchedOption(option) != null) {
            return true;
        }
        return parsed.subcommands().stream().anyMatch(p -> matched(p, option));
    }
}
