package io.zerorl.cluster;

import java.util.Map;

/** What a reward function needs of a prompt besides the completion: its text and its dataset row's fields. */
public record RewardRow(String prompt, Map<String, Object> fields) {}
