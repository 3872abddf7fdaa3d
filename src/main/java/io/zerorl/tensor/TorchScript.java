package io.zerorl.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * TorchScript methods compiled by libtorch from source text when first used: a way to reach torch ops DJL does not
 * expose ({@code _fused_adamw_}, {@code _foreach_*}, {@code linalg.vector_norm}) and to run a loop of ops in one
 * JNI call.
 *
 * <p>The source is the body of one TorchScript class (no parameters or buffers: every tensor is an argument). It is
 * packed as the archive {@code torch.jit.save} writes (a zip with {@code data.pkl}, the pickled module object,
 * {@code code/__torch__.py}, {@code constants.pkl} and {@code version}) and loaded with DJL's module loader, which
 * compiles the code for the engine's own libtorch. Nothing is written to disk. Compiled once per source and process;
 * the module holds no state, so one instance serves every thread.
 */
public final class TorchScript {
    private static final java.util.Map<String, TorchScript> COMPILED = new java.util.concurrent.ConcurrentHashMap<>();

    private final PtSymbolBlock module;

    private TorchScript(PtSymbolBlock module) {
        this.module = module;
    }

    /**
     * The compiled class {@code className} whose methods are {@code methods} (TorchScript, indented by two spaces,
     * each with a typed {@code self: __torch__.CLASS} first argument, as {@code torch.jit.save} prints them).
     */
    public static TorchScript of(String className, String methods) {
        String key = className + "\n" + methods;
        return COMPILED.computeIfAbsent(key, k -> compile(className, methods));
    }

    private static TorchScript compile(String className, String methods) {
        String code = "class " + className + "(Module):\n"
                + "  __parameters__ = []\n"
                + "  __buffers__ = []\n"
                + "  training : bool\n"
                + methods;
        byte[] archive = archive(className, code);
        // the module must outlive any caller's manager or scope: it gets a manager of its own, never closed (the
        // module holds no tensors; one per compiled source and process)
        PtNDManager owner = (PtNDManager) NDManager.newBaseManager();
        try {
            return new TorchScript(JniUtils.loadModule(owner, new ByteArrayInputStream(archive), false, false));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs method {@code name}; the returned value is the caller's to close. */
    public IValue call(String name, IValue... args) {
        try {
            return IValueUtils.runMethod(module, name, args);
        } finally {
            for (IValue a : args) {
                a.close();
            }
        }
    }

    /** A {@code List[Tensor]} argument. */
    public static IValue tensors(Collection<NDArray> arrays) {
        PtNDArray[] a = new PtNDArray[arrays.size()];
        int i = 0;
        for (NDArray x : arrays) {
            a[i++] = (PtNDArray) x;
        }
        return IValue.listFrom(a);
    }

    public static IValue tensor(NDArray x) {
        return IValue.from((PtNDArray) x);
    }

    public static IValue number(double v) {
        return IValue.from(v);
    }

    /** The zip {@code torch.jit.save} writes for a module of class {@code className} with no attributes. */
    static byte[] archive(String className, String code) {
        String dir = className.toLowerCase(java.util.Locale.ROOT);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            stored(zip, dir + "/data.pkl", modulePickle(className));
            stored(zip, dir + "/code/__torch__.py", code.getBytes(StandardCharsets.UTF_8));
            stored(zip, dir + "/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'}); // an empty tuple
            stored(zip, dir + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    /**
     * Pickle protocol 2 of {@code __torch__.CLASS()} with state {@code {"training": True}}: GLOBAL, EMPTY_TUPLE,
     * NEWOBJ, EMPTY_DICT, MARK, BINUNICODE key, NEWTRUE, SETITEMS, BUILD, STOP.
     */
    private static byte[] modulePickle(String className) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(0x80);
        o.write(2);
        o.write('c');
        o.writeBytes(("__torch__\n" + className + "\n").getBytes(StandardCharsets.US_ASCII));
        o.write(')');
        o.write(0x81);
        o.write('}');
        o.write('(');
        byte[] key = "training".getBytes(StandardCharsets.US_ASCII);
        o.write('X');
        o.write(key.length);
        o.write(0);
        o.write(0);
        o.write(0);
        o.writeBytes(key);
        o.write(0x88);
        o.write('u');
        o.write('b');
        o.write('.');
        return o.toByteArray();
    }
}
