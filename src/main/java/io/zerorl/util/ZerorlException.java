package io.zerorl.util;

/**
 * An error caused by the user's input (a recipe, dataset, checkpoint, tokenizer or model output),
 * whose message alone tells what is wrong and how to fix it. The CLI prints only the message
 * (stack traces with {@code --verbose}); anything else escaping a command is a bug.
 */
public class ZerorlException extends RuntimeException {
    public ZerorlException(String message) {
        super(message);
    }

    public ZerorlException(String message, Throwable cause) {
        super(message, cause);
    }
}
