package io.zerorl.reward;

/**
 * Service-provider interface for user rewards: list the implementing class in
 * {@code META-INF/services/io.zerorl.reward.RewardProvider} of a jar (or classes directory) on the
 * classpath and the reward becomes available by {@link #name()} in recipes and {@code zerorl rewards}.
 * See {@code rewards/README.md} for a worked example. Needs a public no-argument constructor.
 */
public interface RewardProvider {
    /** Registry name, e.g. {@code "keyword"}; must not clash with a built-in or another provider. */
    String name();

    /** One line for {@code zerorl rewards list}. */
    default String description() {
        return "";
    }

    RewardFunction create(RewardOptions options);
}
