package io.zerorl.reward.math;

import org.matheclipse.core.eval.EvalEngine;
import org.matheclipse.core.eval.ExprEvaluator;
import org.matheclipse.core.expression.F;
import org.matheclipse.core.form.tex.TeXParser;
import org.matheclipse.core.interfaces.IExpr;
import org.matheclipse.core.interfaces.ISymbol;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Symbolic equality of two LaTeX expressions with Symja (org.matheclipse:matheclipse-core, GPL-3.0),
 * time-bounded per item. Expressions are parsed with Symja's TeX parser; they are equal when
 * {@code Simplify(a - b)} is 0, or (as math_verify and the Qwen2.5-Math checker fall back to) when
 * {@code a - b} evaluates to ~0 numerically, at random points if free variables remain.
 * Each worker thread owns one Symja engine (engines are thread-bound); a timed-out evaluation is
 * stopped through {@link EvalEngine#stopRequest()}.
 */
public final class SymjaCas {
    /** Outcome of one comparison. */
    public enum Verdict { EQUAL, NOT_EQUAL, UNPARSEABLE, TIMEOUT }

    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final int POOL = Math.max(2, Runtime.getRuntime().availableProcessors());
    private static final ExecutorService EXEC = Executors.newFixedThreadPool(POOL, r -> {
        Thread t = new Thread(r, "zerorl-cas-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });
    private static final ThreadLocal<ExprEvaluator> EVAL = ThreadLocal.withInitial(() -> {
        initOnce();
        ExprEvaluator ev = new ExprEvaluator(false, (short) 100);
        // Symja prints evaluation messages ("N: null.") to the engine's streams: silence them
        java.io.PrintStream sink = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
        ev.getEvalEngine().setOutPrintStream(sink);
        ev.getEvalEngine().setErrorPrintStream(sink);
        ev.getEvalEngine().setQuietMode(true);
        return ev;
    });
    private static volatile boolean initialised;

    private SymjaCas() {}

    private static synchronized void initOnce() {
        if (!initialised) {
            // Symja logs through log4j-api; without a backend it would print a StatusLogger error.
            System.setProperty("log4j2.loggerContextFactory", "org.apache.logging.log4j.simple.SimpleLoggerContextFactory");
            System.setProperty("org.apache.logging.log4j.simplelog.StatusLogger.level", "OFF");
            System.setProperty("org.apache.logging.log4j.level", "OFF");
            F.initSymbols();
            initialised = true;
        }
    }

    /** Loads Symja's symbol tables now (about a second) instead of on the first comparison. */
    public static void warmUp() {
        compare("x+1", "1+x", 30_000);
    }

    public static Verdict compare(String texA, String texB, long timeoutMs) {
        AtomicReference<EvalEngine> engine = new AtomicReference<>();
        Future<Verdict> f = EXEC.submit(() -> {
            ExprEvaluator ev = EVAL.get();
            EvalEngine eng = ev.getEvalEngine();
            eng.setStopRequested(false);
            EvalEngine.set(eng);
            engine.set(eng);
            return compareOnThisThread(ev, texA, texB);
        });
        try {
            return f.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            EvalEngine eng = engine.get();
            if (eng != null) {
                eng.stopRequest();
            }
            f.cancel(true);
            return Verdict.TIMEOUT;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            return Verdict.TIMEOUT;
        } catch (Exception e) {
            return Verdict.UNPARSEABLE;
        }
    }

    /** Parses LaTeX to a Symja expression; null when Symja cannot read it. */
    static IExpr parse(String tex) {
        try {
            IExpr e = new TeXParser().parse(tex);
            return e == null || e.isInvalid() ? null : e;
        } catch (RuntimeException | StackOverflowError e) {
            return null;
        }
    }

    private static Verdict compareOnThisThread(ExprEvaluator ev, String a, String b) {
        IExpr ea = parse(a);
        IExpr eb = parse(b);
        if (ea == null || eb == null) {
            return Verdict.UNPARSEABLE;
        }
        try {
            IExpr diff = ev.eval(F.Simplify(F.Subtract(ea, eb)));
            if (diff.isZero()) {
                return Verdict.EQUAL;
            }
            Set<String> vars = new TreeSet<>();
            collectVariables(ea, vars);
            collectVariables(eb, vars);
            IExpr d = F.Subtract(ea, eb);
            IExpr scale = F.Plus(F.Abs(ea), F.Abs(eb), F.C1);
            if (vars.isEmpty()) {
                return nearZero(ev, d, scale) ? Verdict.EQUAL : Verdict.NOT_EQUAL;
            }
            // identity test at random points (Schwartz-Zippel style): equal everywhere we look
            Random rnd = new Random(1234);
            int tried = 0;
            for (int k = 0; k < 12 && tried < 4; k++) {
                List<IExpr> rules = new ArrayList<>();
                for (String v : vars) {
                    rules.add(F.Rule(F.symbol(v), F.num(0.3 + rnd.nextDouble() * 1.7)));
                }
                IExpr at = F.ReplaceAll(d, F.List(rules.toArray(new IExpr[0])));
                IExpr sc = F.ReplaceAll(scale, F.List(rules.toArray(new IExpr[0])));
                Double dv = real(ev, at);
                Double sv = real(ev, sc);
                if (dv == null || sv == null) {
                    continue; // outside the domain (division by zero, log of a negative, ...)
                }
                tried++;
                if (Math.abs(dv) > 1e-9 * sv) {
                    return Verdict.NOT_EQUAL;
                }
            }
            return tried > 0 ? Verdict.EQUAL : Verdict.NOT_EQUAL;
        } catch (RuntimeException | StackOverflowError e) {
            return Verdict.NOT_EQUAL;
        }
    }

    private static boolean nearZero(ExprEvaluator ev, IExpr d, IExpr scale) {
        Double dv = real(ev, d);
        Double sv = real(ev, scale);
        return dv != null && sv != null && Math.abs(dv) <= 1e-9 * sv;
    }

    private static Double real(ExprEvaluator ev, IExpr e) {
        try {
            IExpr n = ev.eval(F.N(e));
            if (n.isReal()) {
                double v = n.evalf();
                return Double.isFinite(v) ? v : null;
            }
            if (n.isNumber()) { // complex: compare the modulus
                IExpr abs = ev.eval(F.N(F.Abs(n)));
                if (abs.isReal()) {
                    double v = abs.evalf();
                    return Double.isFinite(v) ? v : null;
                }
            }
            return null;
        } catch (RuntimeException ex) {
            return null;
        }
    }

    private static void collectVariables(IExpr e, Set<String> out) {
        if (e.isSymbol()) {
            ISymbol s = (ISymbol) e;
            if (s.isVariable() && !s.isConstantAttribute()) {
                out.add(s.getSymbolName());
            }
        } else if (e.isAST()) {
            for (int i = 1; i < e.size(); i++) {
                collectVariables(e.getAt(i), out);
            }
        }
    }
}
