package io.zerorl.reward;

/**
 * Builds a configured {@link RewardFunction} from per-reward options. The options object records which
 * keys were read; the registry rejects any key the factory did not read, naming the valid ones.
 */
@FunctionalInterface
public interface RewardFactory {
    RewardFunction create(String name, RewardOptions options);
}
