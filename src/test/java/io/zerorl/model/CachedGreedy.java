package io.zerorl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

import java.util.Arrays;

/** KV-cached greedy decoding as the fixtures' {@code greedy_ids} were made: no EOS stop, left-padded prompts. */
record CachedGreedy(long[][] ids, double[][] newTokenLogprobs) {
    static CachedGreedy run(Policy policy, NDManager m, long[][] ids, long[][] mask, long[][] pos, int steps) {
        int batch = ids.length;
        int prompt = ids[0].length;
        int v = policy.config().vocabSize;
        KvCache cache = policy.newCache(m, batch, prompt + steps);
        NDArray last = policy.forward(m.create(ids), m.create(mask), m.create(pos), cache).get(new NDIndex(":, -1, :"));
        long[][] out = new long[batch][];
        double[][] logprobs = new double[batch][steps];
        long[][] fullMask = new long[batch][prompt + steps];
        long[] nextPos = new long[batch];
        for (int b = 0; b < batch; b++) {
            out[b] = Arrays.copyOf(ids[b], prompt + steps);
            System.arraycopy(mask[b], 0, fullMask[b], 0, prompt);
            nextPos[b] = pos[b][prompt - 1] + 1;
        }
        for (int s = 0; s < steps; s++) {
            long[] next = last.argMax(-1).toLongArray();
            float[] lp = last.logSoftmax(-1).toFloatArray();
            for (int b = 0; b < batch; b++) {
                out[b][prompt + s] = next[b];
                fullMask[b][prompt + s] = 1;
                logprobs[b][s] = lp[b * v + (int) next[b]];
            }
            if (s == steps - 1) {
                break;
            }
            long[][] stepIds = new long[batch][1];
            long[][] stepPos = new long[batch][1];
            long[][] maskSoFar = new long[batch][];
            for (int b = 0; b < batch; b++) {
                stepIds[b][0] = next[b];
                stepPos[b][0] = nextPos[b]++;
                maskSoFar[b] = Arrays.copyOf(fullMask[b], prompt + s + 1);
            }
            last = policy.forward(m.create(stepIds), m.create(maskSoFar), m.create(stepPos), cache).get(new NDIndex(":, -1, :"));
        }
        return new CachedGreedy(out, logprobs);
    }
}
