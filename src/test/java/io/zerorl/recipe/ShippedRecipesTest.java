package io.zerorl.recipe;

import io.zerorl.data.DatasetRegistry;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every recipe under recipes/ parses with known keys and values of the right types, and states the hardware it
 * needs. (Recipes for downloaded models cannot be validated against their config.json here.)
 */
class ShippedRecipesTest {
    @Test
    void everyShippedRecipeLoadsAndStatesItsHardware() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(Path.of("recipes"))) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(8);
        for (Path f : files) {
            Recipe r = RecipeLoader.load(f, List.of());
            assertThat(r.train().groupSize()).as(f.toString()).isGreaterThanOrEqualTo(2);
            assertThat(r.rewards()).as(f.toString()).isNotEmpty();
            // the eval section names known benchmarks (its files are checked by RecipeValidator, with the model)
            r.eval().benchmarks().forEach(b -> DatasetRegistry.builtin().resolve(b));
            assertThat(r.eval().ks()).as(f.toString()).allMatch(k -> k >= 1 && k <= r.eval().n());
            assertThat(r.eval().limit()).as(f.toString()).isPositive();
            if (f.toString().contains("/grpo/") && !f.toString().contains("tiny")) {
                assertThat(Files.readString(f)).as(f + " says what hardware it needs").containsIgnoringCase("hardware");
            }
        }
    }
}
