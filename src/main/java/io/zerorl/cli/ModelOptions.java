package io.zerorl.cli;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.zerorl.model.PeftAdapter;
import io.zerorl.model.Policy;
import io.zerorl.util.ZerorlException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The options of every command that loads one model: {@code --model} (a Hugging Face folder or
 * {@code builtin:tiny-moe}), {@code --seed}, and {@link ComputeOptions}' {@code --device/--dtype/--threads}.
 */
final class ModelOptions {
    @Option(names = "--model", description = "Hugging Face model folder (config.json, *.safetensors, tokenizer files)"
            + " or builtin:tiny-moe.")
    String model;

    @Option(names = "--seed", defaultValue = "0",
            description = "Seed of sampling, and of a built-in model's weights when none is pretrained (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--adapter", description = "A LoRA adapter folder (PEFT layout: adapter_config.json +"
            + " adapter_model.safetensors) applied on top of the model.")
    Path adapter;

    @Mixin
    ComputeOptions compute = new ComputeOptions();

    /** The model reference; a usage error when the command needs one and none was given. */
    String model() {
        if (model == null) {
            throw new ZerorlException("--model is required: a Hugging Face model folder or builtin:tiny-moe");
        }
        return model;
    }

    boolean hasModel() {
        return model != null;
    }

    Device device() {
        return compute.device();
    }

    DataType dtype() {
        return compute.dtype();
    }

    /** Loads the model on --device in --dtype (after applying --threads), with --adapter attached. */
    Policy load() {
        return withAdapter(ModelRef.load(model(), device(), dtype(), seed));
    }

    /** Attaches --adapter to {@code policy} when given (closing the policy if the adapter does not fit it). */
    Policy withAdapter(Policy policy) {
        if (adapter == null) {
            return policy;
        }
        try {
            policy.attach(PeftAdapter.read(adapter, policy));
            return policy;
        } catch (RuntimeException e) {
            policy.close();
            throw e;
        }
    }
}
