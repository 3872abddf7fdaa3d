package io.zerorl;

import com.fasterxml.jackson.databind.JsonNode;

/** Reading the fixtures' reference JSON. */
public final class Fixtures {
    private Fixtures() {}

    /** A JSON array of integer rows, e.g. {@code input_ids}, as long[][]. */
    public static long[][] longs(JsonNode rows) {
        long[][] out = new long[rows.size()][];
        for (int i = 0; i < rows.size(); i++) {
            out[i] = new long[rows.get(i).size()];
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = rows.get(i).get(j).asLong();
            }
        }
        return out;
    }
}
