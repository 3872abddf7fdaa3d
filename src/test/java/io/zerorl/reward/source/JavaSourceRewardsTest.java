package io.zerorl.reward.source;

import io.zerorl.reward.RewardFunction;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.RewardOptions;
import io.zerorl.reward.RewardRegistry;
import io.zerorl.reward.Score;
import io.zerorl.util.ZerorlException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.ToolProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A reward as one Java source file: compiled at start-up against zerorl, cached by content hash, errors located. */
class JavaSourceRewardsTest {
    static final String EXAMPLE = "rewards/examples/single-file/LengthTarget.java";
    static final Class<?>[] CONTRACT = {RewardFunction.class, RewardInput.class, Score.class, RewardOptions.class};

    @TempDir
    Path tmp;

    static String reward(String className, String body) {
        return """
                import io.zerorl.reward.*;

                public final class %s extends RewardFunction.PerItem {
                    public %s(String name, RewardOptions o) { super(name); }
                    @Override protected Score scoreItem(RewardInput in) { %s }
                }
                """.formatted(className, className, body);
    }

    private Class<?> load(Path file) {
        return JavaSourceRewards.load(file, tmp.resolve("cache"), CONTRACT, getClass().getClassLoader(),
                ToolProvider.getSystemJavaCompiler());
    }

    @Test
    void theShippedSingleFileExampleCompilesAndScoresThroughTheRegistry() {
        RewardFunction f = RewardRegistry.standard().create(EXAMPLE, Map.of("target_tokens", 4));
        assertThat(f.name()).isEqualTo("length_target");
        List<Score> s = f.score(List.of(new RewardInput("", "abcd", Map.of(), 4), new RewardInput("", "x", Map.of(), 6),
                new RewardInput("", "x", Map.of(), 8), new RewardInput("", "12345678", Map.of())));
        assertThat(s).extracting(Score::value).containsExactly(1.0, 0.5, 0.0, 0.5);
        assertThat(s.get(3).details()).containsEntry("tokens", 2);
        assertThatThrownBy(() -> RewardRegistry.standard().create(EXAMPLE, Map.of("target_token", 4)))
                .isInstanceOf(ZerorlException.class).hasMessageContaining(EXAMPLE)
                .hasMessageContaining("did you mean 'target_tokens'");
    }

    @Test
    void compiledOnceThenTakenFromTheCacheUntilTheSourceChanges() throws IOException {
        Path file = tmp.resolve("Half.java");
        Files.writeString(file, reward("Half", "return Score.of(0.5);"));
        int before = JavaSourceRewards.compilations();
        Class<?> first = load(file);
        assertThat(load(file)).isSameAs(first);
        JavaSourceRewards.forgetLoaded(); // as a new JVM: the folder on disk is used, nothing compiles
        Class<?> again = load(file);
        assertThat(again).isNotSameAs(first);
        assertThat(again.getName()).isEqualTo("Half");
        assertThat(JavaSourceRewards.compilations()).isEqualTo(before + 1);
        assertThat(cacheFolders()).hasSize(1).allSatisfy(d -> assertThat(d.getFileName().toString()).startsWith("Half-"));

        Files.writeString(file, reward("Half", "return Score.of(0.25);"));
        assertThat(load(file)).isNotSameAs(again);
        assertThat(JavaSourceRewards.compilations()).isEqualTo(before + 2);
        assertThat(cacheFolders()).hasSize(2);
    }

    @Test
    void anIncompleteCacheFolderIsCompiledAgain() throws IOException {
        Path file = tmp.resolve("Half.java");
        Files.writeString(file, reward("Half", "return Score.of(0.5);"));
        load(file);
        Path dir = cacheFolders().get(0);
        Files.delete(dir.resolve(JavaSourceRewards.MARKER)); // as after a crash between compiling and publishing
        JavaSourceRewards.forgetLoaded();
        int before = JavaSourceRewards.compilations();
        assertThat(load(file).getName()).isEqualTo("Half");
        assertThat(JavaSourceRewards.compilations()).isEqualTo(before + 1);
        assertThat(dir.resolve(JavaSourceRewards.MARKER)).exists();
    }

    @Test
    void compileErrorsNameTheFileTheLineAndTheMessage() throws IOException {
        Path file = tmp.resolve("Broken.java");
        Files.writeString(file, reward("Broken", "return Score.of(undefinedThing);"));
        assertThatThrownBy(() -> load(file)).isInstanceOf(ZerorlException.class)
                .hasMessageContaining("Reward '" + file + "' does not compile (1 error)")
                .hasMessageContaining(file + ":5:")
                .hasMessageContaining("cannot find symbol")
                .hasMessageContaining("undefinedThing");
        assertThat(cacheFolders()).isEmpty(); // nothing half-written under a final name
    }

    @Test
    void aMissingFileAWrongClassNameAndAJreAreClearErrors() throws IOException {
        assertThatThrownBy(() -> load(tmp.resolve("Nope.java"))).isInstanceOf(ZerorlException.class)
                .hasMessageContaining("no such Java source file");
        Path misnamed = tmp.resolve("Misnamed.java");
        Files.writeString(misnamed, "class Other {}\n");
        assertThatThrownBy(() -> load(misnamed)).isInstanceOf(ZerorlException.class)
                .hasMessageContaining("declares no top-level class Misnamed");
        Path ok = tmp.resolve("Fine.java");
        Files.writeString(ok, reward("Fine", "return Score.of(1);"));
        assertThatThrownBy(() -> JavaSourceRewards.load(ok, tmp.resolve("c2"), CONTRACT, getClass().getClassLoader(), null))
                .isInstanceOf(ZerorlException.class).hasMessageContaining("needs a JDK").hasMessageContaining("JRE");
    }

    @Test
    void aClassThatIsNoRewardIsRejectedByTheRegistry() throws IOException {
        Path file = tmp.resolve("NotAReward.java");
        Files.writeString(file, "public class NotAReward {}\n");
        String old = System.getProperty("zerorl.cache");
        System.setProperty("zerorl.cache", tmp.resolve("cache").toString()); // keep the user's cache clean
        try {
            assertThatThrownBy(() -> RewardRegistry.standard().create(file.toString(), Map.of()))
                    .isInstanceOf(ZerorlException.class).hasMessageContaining("is not a RewardFunction");
            assertThat(cacheFolders()).hasSize(1);
        } finally {
            if (old == null) {
                System.clearProperty("zerorl.cache");
            } else {
                System.setProperty("zerorl.cache", old);
            }
        }
    }

    private List<Path> cacheFolders() throws IOException {
        Path root = tmp.resolve("cache/rewards");
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        }
    }
}
