package io.zerorl.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerorl.util.ZerorlException;

/**
 * The architecture of a decoder-only transformer, normalised from any supported Hugging Face
 * {@code model_type}. Immutable; built with {@link Builder} and validated in {@link Builder#build()}.
 *
 * <p>Attention is either grouped-query ({@code kvLoraRank == 0}) or DeepSeek multi-head latent
 * attention ({@code kvLoraRank > 0}). Each layer's feed-forward is dense or MoE per {@link #sparseLayers}.
 */
public final class ModelConfig {
    /** How a mixture-of-experts layer turns router logits into expert weights. */
    public enum Scoring { SOFTMAX, SIGMOID }

    /**
     * How group-limited routing ranks expert groups: DeepSeek-V3 sums a group's two best scores,
     * DeepSeek-V2 ({@code group_limited_greedy}) takes its best one.
     */
    public enum GroupScore { TOP2_SUM, MAX }

    public final String modelType;
    public final int vocabSize;
    public final int hiddenSize;
    public final int numLayers;
    public final int numHeads;
    public final int numKvHeads;
    public final int headDim;
    public final int intermediateSize;
    public final double rmsNormEps;
    public final int maxPositions;
    public final boolean tieEmbeddings;
    public final boolean qkvBias;
    public final boolean oBias;
    public final boolean qkNorm;
    public final RopeConfig rope;
    // multi-head latent attention (DeepSeek-V2/V3); 0 = not used
    public final int qLoraRank;
    public final int kvLoraRank;
    public final int qkNopeHeadDim;
    public final int qkRopeHeadDim;
    public final int vHeadDim;
    // mixture of experts; numExperts == 0 = dense everywhere
    public final int numExperts;
    public final int topK;
    public final int moeIntermediateSize;
    public final boolean normTopkProb;
    public final Scoring scoring;
    public final boolean correctionBias;
    public final int nGroup;
    public final int topkGroup;
    public final GroupScore groupScore;
    public final double routedScalingFactor;
    public final int numSharedExperts;
    private final boolean[] sparseLayers;
    /** Weight-name layout of the experts and router (differs between families). */
    public final WeightNames names;
    public final int eosTokenId;
    public final int padTokenId;
    public final String dtype;
    /** The original config.json (null for configs built in code); export writes it back. */
    public final ObjectNode hfJson;

    private ModelConfig(Builder b) {
        modelType = b.modelType;
        vocabSize = b.vocabSize;
        hiddenSize = b.hiddenSize;
        numLayers = b.numLayers;
        numHeads = b.numHeads;
        numKvHeads = b.numKvHeads;
        headDim = b.headDim;
        intermediateSize = b.intermediateSize;
        rmsNormEps = b.rmsNormEps;
        maxPositions = b.maxPositions;
        tieEmbeddings = b.tieEmbeddings;
        qkvBias = b.qkvBias;
        oBias = b.oBias;
        qkNorm = b.qkNorm;
        rope = b.rope;
        qLoraRank = b.qLoraRank;
        kvLoraRank = b.kvLoraRank;
        qkNopeHeadDim = b.qkNopeHeadDim;
        qkRopeHeadDim = b.qkRopeHeadDim;
        vHeadDim = b.vHeadDim;
        numExperts = b.numExperts;
        topK = b.topK;
        moeIntermediateSize = b.moeIntermediateSize;
        normTopkProb = b.normTopkProb;
        scoring = b.scoring;
        correctionBias = b.correctionBias;
        nGroup = b.nGroup;
        topkGroup = b.topkGroup;
        groupScore = b.groupScore;
        routedScalingFactor = b.routedScalingFactor;
        numSharedExperts = b.numSharedExperts;
        sparseLayers = b.sparseLayers.clone();
        names = b.names;
        eosTokenId = b.eosTokenId;
        padTokenId = b.padTokenId;
        dtype = b.dtype;
        hfJson = b.hfJson;
    }

    public boolean isMla() {
        return kvLoraRank > 0;
    }

    public boolean isSparse(int layer) {
        return sparseLayers[layer];
    }

    public boolean isMoe() {
        for (boolean s : sparseLayers) {
            if (s) {
                return true;
            }
        }
        return false;
    }

    /** Per-head query/key width used for the attention scores. */
    public int qkHeadDim() {
        return isMla() ? qkNopeHeadDim + qkRopeHeadDim : headDim;
    }

    /** Per-head value width. */
    public int valueHeadDim() {
        return isMla() ? vHeadDim : headDim;
    }

    /** Width of the rotated part of each query/key head. */
    public int ropeDim() {
        return isMla() ? qkRopeHeadDim : headDim;
    }

    /**
     * Softmax scale of the attention scores: {@code qk_head_dim^-0.5}; for MLA with YaRN, times
     * {@code mscale(factor, mscale_all_dim)^2} (transformers {@code DeepseekV3Attention}; DeepSeek-V2's
     * own modelling code does the same).
     */
    public double attentionScale() {
        double scale = Math.pow(qkHeadDim(), -0.5);
        if (isMla() && rope.type().equals("yarn") && rope.mscaleAllDim() != 0) {
            double m = RopeConfig.yarnMscale(rope.factor(), rope.mscaleAllDim());
            scale *= m * m;
        }
        return scale;
    }

    public Builder toBuilder() {
        Builder b = new Builder(modelType);
        b.vocabSize = vocabSize;
        b.hiddenSize = hiddenSize;
        b.numLayers = numLayers;
        b.numHeads = numHeads;
        b.numKvHeads = numKvHeads;
        b.headDim = headDim;
        b.intermediateSize = intermediateSize;
        b.rmsNormEps = rmsNormEps;
        b.maxPositions = maxPositions;
        b.tieEmbeddings = tieEmbeddings;
        b.qkvBias = qkvBias;
        b.oBias = oBias;
        b.qkNorm = qkNorm;
        b.rope = rope;
        b.qLoraRank = qLoraRank;
        b.kvLoraRank = kvLoraRank;
        b.qkNopeHeadDim = qkNopeHeadDim;
        b.qkRopeHeadDim = qkRopeHeadDim;
        b.vHeadDim = vHeadDim;
        b.numExperts = numExperts;
        b.topK = topK;
        b.moeIntermediateSize = moeIntermediateSize;
        b.normTopkProb = normTopkProb;
        b.scoring = scoring;
        b.correctionBias = correctionBias;
        b.nGroup = nGroup;
        b.topkGroup = topkGroup;
        b.groupScore = groupScore;
        b.routedScalingFactor = routedScalingFactor;
        b.numSharedExperts = numSharedExperts;
        b.sparseLayers = sparseLayers.clone();
        b.names = names;
        b.eosTokenId = eosTokenId;
        b.padTokenId = padTokenId;
        b.dtype = dtype;
        b.hfJson = hfJson;
        return b;
    }

    @Override
    public String toString() {
        return modelType + "(hidden=" + hiddenSize + ", layers=" + numLayers + ", heads=" + numHeads + "/" + numKvHeads
                + ", experts=" + numExperts + " top" + topK + ", vocab=" + vocabSize + ")";
    }

    /** Mutable builder; public fields keep the architecture mappers short. */
    public static final class Builder {
        public String modelType;
        public int vocabSize;
        public int hiddenSize;
        public int numLayers;
        public int numHeads;
        public int numKvHeads;
        public int headDim;
        public int intermediateSize;
        public double rmsNormEps = 1e-6;
        public int maxPositions = 4096;
        public boolean tieEmbeddings;
        public boolean qkvBias;
        public boolean oBias;
        public boolean qkNorm;
        public RopeConfig rope = RopeConfig.defaults(10000);
        public int qLoraRank;
        public int kvLoraRank;
        public int qkNopeHeadDim;
        public int qkRopeHeadDim;
        public int vHeadDim;
        public int numExperts;
        public int topK;
        public int moeIntermediateSize;
        public boolean normTopkProb = true;
        public Scoring scoring = Scoring.SOFTMAX;
        public boolean correctionBias;
        public int nGroup = 1;
        public int topkGroup = 1;
        public GroupScore groupScore = GroupScore.TOP2_SUM;
        public double routedScalingFactor = 1.0;
        public int numSharedExperts;
        public boolean[] sparseLayers;
        public WeightNames names = WeightNames.STANDARD;
        public int eosTokenId = -1;
        public int padTokenId = -1;
        public String dtype = "float32";
        public ObjectNode hfJson;

        public Builder(String modelType) {
            this.modelType = modelType;
        }

        public ModelConfig build() {
            if (sparseLayers == null) {
                sparseLayers = new boolean[numLayers];
            }
            check(vocabSize > 0, "vocab_size must be positive");
            check(hiddenSize > 0, "hidden_size must be positive");
            check(numLayers > 0, "num_hidden_layers must be positive");
            check(numHeads > 0, "num_attention_heads must be positive");
            check(numKvHeads > 0 && numHeads % numKvHeads == 0,
                    "num_key_value_heads (" + numKvHeads + ") must divide num_attention_heads (" + numHeads + ")");
            check(sparseLayers.length == numLayers, "sparse layer flags must cover every layer");
            if (kvLoraRank > 0) {
                check(qkRopeHeadDim > 0 && qkRopeHeadDim % 2 == 0, "qk_rope_head_dim must be a positive even number");
                check(qkNopeHeadDim >= 0 && vHeadDim > 0, "qk_nope_head_dim and v_head_dim must be set for MLA");
            } else {
                check(headDim > 0 && headDim % 2 == 0, "head_dim must be a positive even number");
            }
            boolean anySparse = false;
            for (boolean s : sparseLayers) {
                anySparse |= s;
            }
            if (anySparse) {
                check(numExperts > 0, "MoE layers need num_experts > 0");
                check(topK > 0 && topK <= numExperts,
                        "num_experts_per_tok (" + topK + ") must be in 1.." + numExperts);
                check(moeIntermediateSize > 0, "moe_intermediate_size must be positive");
                check(nGroup > 0 && numExperts % nGroup == 0, "n_group (" + nGroup + ") must divide the expert count");
                check(topkGroup > 0 && topkGroup <= nGroup, "topk_group must be in 1..n_group");
                check(topK <= topkGroup * (numExperts / nGroup),
                        "num_experts_per_tok exceeds the experts in the selected groups");
            }
            return new ModelConfig(this);
        }

        private void check(boolean ok, String message) {
            if (!ok) {
                throw new ZerorlException("Invalid " + modelType + " config: " + message);
            }
        }
    }
}
