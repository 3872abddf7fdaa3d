package io.zerorl.model;

import com.fasterxml.jackson.databind.JsonNode;

/** Largest |logit difference| against a reference [batch][position][vocab], over the real (unpadded) positions. */
record LogitDiff(double max, int compared) {
    /** {@code got} is the row-major (batch, positions, vocab) forward output; padding rows of the reference are skipped. */
    static LogitDiff atRealPositions(float[] got, JsonNode refLogits, long[][] mask, int vocab) {
        double max = 0;
        int compared = 0;
        for (int b = 0; b < mask.length; b++) {
            int len = mask[b].length;
            for (int t = 0; t < len; t++) {
                if (mask[b][t] == 0) {
                    continue; // transformers' logits at padding carry no meaning
                }
                JsonNode row = refLogits.get(b).get(t);
                for (int j = 0; j < vocab; j++) {
                    max = Math.max(max, Math.abs(got[(b * len + t) * vocab + j] - row.get(j).asDouble()));
                }
                compared++;
            }
        }
        return new LogitDiff(max, compared);
    }
}
