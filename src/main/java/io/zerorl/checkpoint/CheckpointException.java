package io.zerorl.checkpoint;

import io.zerorl.util.ZerorlException;

/**
 * A checkpoint that cannot be read or written as asked: a malformed or truncated safetensors file, a
 * missing shard, an absent tensor, a wrong shape. The message names the file and the tensor or key.
 */
public class CheckpointException extends ZerorlException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
