package io.zerorl.cli;

import io.zerorl.util.ZerorlException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;

/** Every command documents itself with runnable examples, and errors come back as exit codes and one line. */
class CliHelpTest {
    /** The root and every subcommand, hidden ones included, depth first. */
    private static List<CommandLine> allCommands() {
        List<CommandLine> out = new ArrayList<>();
        collect(Main.commandLine(), out);
        return out;
    }

    private static void collect(CommandLine cmd, List<CommandLine> out) {
        out.add(cmd);
        cmd.getSubcommands().values().stream().distinct().forEach(sub -> collect(sub, out));
    }

    /** "zerorl rewards score" -> ["rewards", "score"]. */
    private static String[] path(CommandLine cmd) {
        String[] words = cmd.getCommandSpec().qualifiedName().split(" ");
        return Arrays.copyOfRange(words, 1, words.length);
    }

    @Test
    void everyCommandHasExamplesThatInvokeIt() {
        List<CommandLine> commands = allCommands();
        assertThat(commands).extracting(c -> c.getCommandSpec().qualifiedName())
                .contains("zerorl train", "zerorl rewards score", "zerorl bench rollout", "zerorl help", "zerorl quickstart");
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            for (CommandLine cmd : commands) {
                String name = String.join(" ", path(cmd));
                String usage = cmd.getUsageMessage(CommandLine.Help.Ansi.OFF);
                assertThat(usage).as("usage of '%s'", name).contains("Examples:");
                String invocation = name.isEmpty() ? "./zerorl " : "./zerorl " + name + " ";
                assertThat(usage.lines().map(String::strip).filter(l -> (l + " ").startsWith(invocation)))
                        .as("an example line of '%s' starting with '%s'", name, invocation.strip()).isNotEmpty();
                // examples are copied into a shell: each renders as written, neither wrapped nor formatted
                List<String> footer = List.of(cmd.getCommandSpec().usageMessage().footer());
                for (String line : footer.subList(footer.indexOf("Examples:"), footer.size())) {
                    assertThat(usage).as("example line of '%s'", name).contains(line.replace("%%", "%"));
                }
            }
        } finally {
            System.setErr(oldErr);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).as("picocli warnings while rendering help").isEmpty();
    }

    @Test
    void helpExitsZeroForEveryCommand() {
        for (CommandLine cmd : allCommands()) {
            List<String> args = new ArrayList<>(List.of(path(cmd)));
            args.add("--help");
            CliRun.Result r = CliRun.run(args.toArray(String[]::new));
            assertThat(r.code()).as("exit code of %s", args).isZero();
            assertThat(r.out()).as("help of %s", args).contains("Usage: zerorl", "Examples:");
            assertThat(r.err()).as("stderr of %s", args).isEmpty();
        }
    }

    @Test
    void unknownOptionIsExitCode2WithOneReadableLine() {
        CliRun.Result r = CliRun.run("pretrain", "--stepz", "3");
        assertThat(r.code()).isEqualTo(CommandLine.ExitCode.USAGE).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).startsWith("error: Unknown option").contains("'--stepz'", "did you mean --steps?",
                "zerorl pretrain --help").doesNotContain("Exception", "\tat ", "Usage:");
        assertThat(r.out()).isEmpty();

        CliRun.Result missing = CliRun.run("train");
        assertThat(missing.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(missing.err().strip()).isEqualTo("error: Missing required parameter: 'RECIPE' (see: zerorl train --help)");

        CliRun.Result noSuchCommand = CliRun.run("trian");
        assertThat(noSuchCommand.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(noSuchCommand.err().strip().lines()).hasSize(1);
        assertThat(noSuchCommand.err()).contains("'trian'", "train");
    }

    @Test
    void userErrorIsExitCode2WithOneLineAndTheStackTraceOnlyWithVerbose() {
        // ZerorlException marks bad input (a missing file, a wrong name): its message is the whole story
        CliRun.Result r = CliRun.run("eval", "--benchmark", "gsm8k");
        assertThat(r.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(r.err().strip()).isEqualTo("error: give either --model DIR or --reference oracle|wrong");

        CliRun.Result verbose = CliRun.run("eval", "--benchmark", "gsm8k", "--verbose");
        assertThat(verbose.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(verbose.err()).contains(ZerorlException.class.getName(), "\tat io.zerorl.cli.EvalCommand.call")
                .contains("error: give either --model DIR or --reference oracle|wrong");
    }

    @Command(name = "boom")
    static final class Boom implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new IllegalStateException("the tensor had the wrong shape");
        }
    }

    private static CliRun.Result runWithBoom(String... args) {
        CommandLine cli = Main.commandLine().addSubcommand(new Boom());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new CliRun.Result(code, out.toString(), err.toString());
    }

    @Test
    void unexpectedFailureIsExitCode1WithOneLineAndAHintAtVerbose() {
        CliRun.Result r = runWithBoom("boom");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("error: java.lang.IllegalStateException: the tensor had the wrong shape"
                + " (run with --verbose for the stack trace)");

        CliRun.Result verbose = runWithBoom("--verbose", "boom");
        assertThat(verbose.code()).isEqualTo(1);
        assertThat(verbose.err()).contains("\tat io.zerorl.cli.CliHelpTest$Boom.call").doesNotContain("run with --verbose");
    }

    @Test
    void noProgressIsAcceptedOnTheRootAndOnCommands() {
        assertThat(CliRun.run("--no-progress", "rewards", "list").code()).isZero();
        assertThat(CliRun.run("rewards", "list", "--no-progress").code()).isZero();
    }
}
