package io.zerorl.reward.math;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A scalar LaTeX expression in canonical spelling ({@link LatexNormalizer#canonical}) parsed into a small tree that
 * can be evaluated exactly (rational numbers) where it is rational, and in double precision otherwise, with values
 * for its variables. Numbers, {@code + - \cdot \times * / \div ^ !}, implicit products, {@code \frac}, {@code \sqrt}
 * (and {@code \sqrt[n]}), {@code |x|}, {@code \pi}, {@code e}, {@code \infty}, trigonometric and hyperbolic functions,
 * {@code \ln}, {@code \log} (natural, or {@code \log_b}), {@code \exp}, {@code \binom}; single letters (optionally
 * subscripted, or Greek) are variables. Anything else (sums, integrals, sets, relations, unknown commands) is not
 * parsed: {@link #parse} returns null and the caller falls back to the computer algebra system.
 * Sizes are bounded (input length, nesting, exact powers and factorials), so no input can make it slow.
 */
final class ScalarExpr {
    private static final int MAX_LEN = 2000;
    private static final int MAX_DEPTH = 60;
    private static final int MAX_BITS = 20_000;
    private static final java.util.regex.Pattern MIXED = java.util.regex.Pattern.compile("\\\\frac\\{(\\d+)\\}\\{(\\d+)\\}");
    private static final Set<String> FUNCS = Set.of("sin", "cos", "tan", "sec", "csc", "cot", "arcsin", "arccos", "arctan",
            "sinh", "cosh", "tanh", "ln", "log", "exp", "lg");
    private static final Set<String> GREEK = Set.of("alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta",
            "theta", "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "rho", "sigma", "tau", "upsilon", "phi", "varphi",
            "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Sigma", "Phi", "Psi", "Omega");

    /** The parsed tree, the variables in order of first appearance, and whether a decimal literal occurs. */
    private final Node root;
    final List<String> variables;
    final boolean hasDecimal;
    /** Written with {@code \infty}: only then may its value be infinite. */
    final boolean hasInfinity;
    /** The whole expression is one number literal (with a sign), e.g. {@code -2.5}: Math-Verify's "atomic number". */
    final boolean atomicNumber;

    private ScalarExpr(Node root, List<String> variables, boolean hasDecimal, boolean hasInfinity, boolean atomicNumber) {
        this.root = root;
        this.variables = variables;
        this.hasDecimal = hasDecimal;
        this.hasInfinity = hasInfinity;
        this.atomicNumber = atomicNumber;
    }

    /** Parses a canonical expression; null when it uses anything this class does not evaluate. */
    static ScalarExpr parse(String tex, boolean strictBraces) {
        if (tex == null || tex.isEmpty() || tex.length() > MAX_LEN) {
            return null;
        }
        try {
            Parser p = new Parser(tex, strictBraces);
            Node n = p.expr();
            if (p.pos != tex.length() || n == null) {
                return null;
            }
            boolean atomic = n instanceof Num || (n instanceof Neg neg && neg.a instanceof Num);
            return new ScalarExpr(n, new ArrayList<>(p.vars.keySet()), p.decimal, p.infinity, atomic);
        } catch (RuntimeException | StackOverflowError e) {
            return null;
        }
    }

    /** The exact value when the expression is a rational number, else null. */
    Rational exact() {
        if (!variables.isEmpty()) {
            return null;
        }
        try {
            return root.exact();
        } catch (ArithmeticException e) {
            return null;
        }
    }

    /** The value in double precision at the given variable values (indexed as {@link #variables}); NaN outside the domain. */
    double eval(Map<String, Double> values) {
        try {
            return root.eval(values);
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    double eval() {
        return eval(Map.of());
    }

    // ---------------------------------------------------------------- rationals

    /** An exact rational number; numerator and denominator in lowest terms, denominator positive. */
    record Rational(BigInteger num, BigInteger den) implements Comparable<Rational> {
        static final Rational ZERO = new Rational(BigInteger.ZERO, BigInteger.ONE);
        static final Rational ONE = new Rational(BigInteger.ONE, BigInteger.ONE);

        static Rational of(BigInteger n, BigInteger d) {
            if (d.signum() == 0) {
                throw new ArithmeticException("division by zero");
            }
            if (d.signum() < 0) {
                n = n.negate();
                d = d.negate();
            }
            BigInteger g = n.gcd(d);
            if (!g.equals(BigInteger.ONE) && g.signum() != 0) {
                n = n.divide(g);
                d = d.divide(g);
            }
            if (n.bitLength() > MAX_BITS || d.bitLength() > MAX_BITS) {
                throw new ArithmeticException("too large");
            }
            return new Rational(n, d);
        }

        static Rational of(BigDecimal b) {
            return b.scale() <= 0 ? of(b.toBigIntegerExact(), BigInteger.ONE)
                    : of(b.unscaledValue(), BigInteger.TEN.pow(b.scale()));
        }

        Rational add(Rational o) {
            return of(num.multiply(o.den).add(o.num.multiply(den)), den.multiply(o.den));
        }

        Rational sub(Rational o) {
            return add(o.negate());
        }

        Rational mul(Rational o) {
            return of(num.multiply(o.num), den.multiply(o.den));
        }

        Rational div(Rational o) {
            return of(num.multiply(o.den), den.multiply(o.num));
        }

        Rational negate() {
            return new Rational(num.negate(), den);
        }

        boolean isInteger() {
            return den.equals(BigInteger.ONE);
        }

        Rational pow(int e) {
            if (Math.abs((long) e) * Math.max(num.bitLength(), den.bitLength()) > MAX_BITS) {
                throw new ArithmeticException("too large");
            }
            Rational r = of(num.pow(Math.abs(e)), den.pow(Math.abs(e)));
            return e >= 0 ? r : ONE.div(r);
        }

        /** The exact n-th root when there is one, else null. */
        Rational root(int n) {
            if (n <= 0 || (num.signum() < 0 && n % 2 == 0)) {
                return null;
            }
            BigInteger a = iroot(num.abs(), n);
            BigInteger b = iroot(den, n);
            if (a == null || b == null) {
                return null;
            }
            return of(num.signum() < 0 ? a.negate() : a, b);
        }

        private static BigInteger iroot(BigInteger x, int n) {
            if (x.signum() == 0) {
                return BigInteger.ZERO;
            }
            if (n == 2) {
                BigInteger r = x.sqrt();
                return r.multiply(r).equals(x) ? r : null;
            }
            double guess = Math.pow(x.doubleValue(), 1.0 / n);
            if (!Double.isFinite(guess)) {
                return null;
            }
            BigInteger g = BigDecimal.valueOf(Math.round(guess)).toBigInteger();
            for (BigInteger c : new BigInteger[] {g.subtract(BigInteger.ONE), g, g.add(BigInteger.ONE)}) {
                if (c.signum() >= 0 && c.pow(n).equals(x)) {
                    return c;
                }
            }
            return null;
        }

        double toDouble() {
            return new BigDecimal(num).divide(new BigDecimal(den), java.math.MathContext.DECIMAL64).doubleValue();
        }

        BigDecimal round(int digits) {
            return new BigDecimal(num).divide(new BigDecimal(den), digits, java.math.RoundingMode.HALF_EVEN);
        }

        @Override
        public int compareTo(Rational o) {
            return num.multiply(o.den).compareTo(o.num.multiply(den));
        }
    }

    // ---------------------------------------------------------------- tree

    private interface Node {
        /** Exact value, or null when not rational. */
        Rational exact();

        double eval(Map<String, Double> v);
    }

    private record Num(BigDecimal value) implements Node {
        public Rational exact() {
            return Rational.of(value);
        }

        public double eval(Map<String, Double> v) {
            return value.doubleValue();
        }
    }

    private record Var(String name) implements Node {
        public Rational exact() {
            return null;
        }

        public double eval(Map<String, Double> v) {
            Double d = v.get(name);
            return d == null ? Double.NaN : d;
        }
    }

    private record Const(double value) implements Node {
        public Rational exact() {
            return null;
        }

        public double eval(Map<String, Double> v) {
            return value;
        }
    }

    private record Neg(Node a) implements Node {
        public Rational exact() {
            Rational r = a.exact();
            return r == null ? null : r.negate();
        }

        public double eval(Map<String, Double> v) {
            return -a.eval(v);
        }
    }

    private record Bin(char op, Node a, Node b) implements Node {
        public Rational exact() {
            Rational x = a.exact();
            if (x == null) {
                return null;
            }
            Rational y = b.exact();
            if (y == null) {
                return null;
            }
            return switch (op) {
                case '+' -> x.add(y);
                case '-' -> x.sub(y);
                case '*' -> x.mul(y);
                case '/' -> x.div(y);
                default -> null;
            };
        }

        public double eval(Map<String, Double> v) {
            double x = a.eval(v);
            double y = b.eval(v);
            return switch (op) {
                case '+' -> x + y;
                case '-' -> x - y;
                case '*' -> x * y;
                case '/' -> x / y;
                default -> Double.NaN;
            };
        }
    }

    private record Pow(Node base, Node exp) implements Node {
        public Rational exact() {
            Rational e = exp.exact();
            if (e == null) {
                return null;
            }
            Rational b = base.exact();
            if (b == null) {
                return null;
            }
            if (e.den().bitLength() > 31 || e.num().bitLength() > 31) {
                return null;
            }
            if (b.num().signum() == 0 && e.num().signum() <= 0) {
                throw new ArithmeticException("0^0");
            }
            Rational r = e.den().equals(BigInteger.ONE) ? b : b.root(e.den().intValue());
            return r == null ? null : r.pow(e.num().intValue());
        }

        public double eval(Map<String, Double> v) {
            double b = base.eval(v);
            double e = exp.eval(v);
            if (b < 0 && e != Math.rint(e)) {
                Rational re = exp.exact();
                // odd roots of negatives: (-8)^{1/3} = -2
                if (re != null && re.den().testBit(0)) {
                    double m = Math.pow(-b, e);
                    return re.num().testBit(0) ? -m : m;
                }
                return Double.NaN;
            }
            return Math.pow(b, e);
        }
    }

    private record Func(String name, Node arg, Node base) implements Node {
        public Rational exact() {
            Rational a = arg.exact();
            if (a == null) {
                return null;
            }
            // the few exact values that matter for answers: sin 0, cos 0, ln 1, exp 0, log_b 1
            if (a.num().signum() == 0) {
                return switch (name) {
                    case "sin", "tan", "arcsin", "arctan", "sinh", "tanh" -> Rational.ZERO;
                    case "cos", "sec", "cosh", "exp" -> Rational.ONE;
                    default -> null;
                };
            }
            if (a.equals(Rational.ONE) && (name.equals("ln") || name.equals("log") || name.equals("lg"))) {
                return Rational.ZERO;
            }
            if (name.equals("log") && base != null) {
                Rational b = base.exact();
                if (b != null && b.isInteger() && a.isInteger() && b.num().compareTo(BigInteger.ONE) > 0 && a.num().signum() > 0) {
                    int k = 0;
                    BigInteger p = BigInteger.ONE;
                    while (p.compareTo(a.num()) < 0 && k < 10_000) {
                        p = p.multiply(b.num());
                        k++;
                    }
                    if (p.equals(a.num())) {
                        return Rational.of(BigInteger.valueOf(k), BigInteger.ONE);
                    }
                }
            }
            return null;
        }

        public double eval(Map<String, Double> v) {
            double x = arg.eval(v);
            return switch (name) {
                case "sin" -> Math.sin(x);
                case "cos" -> Math.cos(x);
                case "tan" -> Math.tan(x);
                case "sec" -> 1 / Math.cos(x);
                case "csc" -> 1 / Math.sin(x);
                case "cot" -> 1 / Math.tan(x);
                case "arcsin" -> Math.asin(x);
                case "arccos" -> Math.acos(x);
                case "arctan" -> Math.atan(x);
                case "sinh" -> Math.sinh(x);
                case "cosh" -> Math.cosh(x);
                case "tanh" -> Math.tanh(x);
                case "ln" -> Math.log(x);
                case "lg" -> Math.log10(x);
                case "log" -> base == null ? Math.log(x) : Math.log(x) / Math.log(base.eval(v));
                case "exp" -> Math.exp(x);
                case "abs" -> Math.abs(x);
                case "sqrt" -> Math.sqrt(x);
                default -> Double.NaN;
            };
        }
    }

    private record Root(Node arg, Node index) implements Node {
        public Rational exact() {
            Rational a = arg.exact();
            if (a == null) {
                return null;
            }
            int n = 2;
            if (index != null) {
                Rational i = index.exact();
                if (i == null || !i.isInteger() || i.num().bitLength() > 10) {
                    return null;
                }
                n = i.num().intValue();
            }
            return a.root(n);
        }

        public double eval(Map<String, Double> v) {
            double a = arg.eval(v);
            double n = index == null ? 2 : index.eval(v);
            if (a < 0) {
                return n % 2 == 1 ? -Math.pow(-a, 1 / n) : Double.NaN;
            }
            return n == 2 ? Math.sqrt(a) : Math.pow(a, 1 / n);
        }
    }

    private record Abs(Node a) implements Node {
        public Rational exact() {
            Rational r = a.exact();
            return r == null ? null : r.num().signum() < 0 ? r.negate() : r;
        }

        public double eval(Map<String, Double> v) {
            return Math.abs(a.eval(v));
        }
    }

    private record Fact(Node a) implements Node {
        public Rational exact() {
            Rational r = a.exact();
            if (r == null || !r.isInteger() || r.num().signum() < 0 || r.num().bitLength() > 10 || r.num().intValue() > 500) {
                return null;
            }
            BigInteger f = BigInteger.ONE;
            for (int i = 2; i <= r.num().intValue(); i++) {
                f = f.multiply(BigInteger.valueOf(i));
            }
            return Rational.of(f, BigInteger.ONE);
        }

        public double eval(Map<String, Double> v) {
            double x = a.eval(v);
            if (x < 0 || x != Math.rint(x) || x > 170) {
                return Double.NaN;
            }
            double f = 1;
            for (int i = 2; i <= x; i++) {
                f *= i;
            }
            return f;
        }
    }

    private record Binom(Node n, Node k) implements Node {
        public Rational exact() {
            Rational a = n.exact();
            Rational b = k.exact();
            if (a == null || b == null || !a.isInteger() || !b.isInteger() || a.num().bitLength() > 20 || b.num().bitLength() > 12) {
                return null;
            }
            int nn = a.num().intValue();
            int kk = b.num().intValue();
            if (kk < 0 || nn < 0 || kk > nn) {
                return Rational.ZERO;
            }
            BigInteger r = BigInteger.ONE;
            for (int i = 0; i < kk; i++) {
                r = r.multiply(BigInteger.valueOf(nn - i)).divide(BigInteger.valueOf(i + 1));
            }
            return Rational.of(r, BigInteger.ONE);
        }

        public double eval(Map<String, Double> v) {
            Rational r = exact();
            return r == null ? Double.NaN : r.toDouble();
        }
    }

    // ---------------------------------------------------------------- parser

    private static final class Parser {
        final String s;
        final boolean strictBraces;
        int pos;
        int depth;
        int absDepth;
        boolean decimal;
        boolean infinity;
        final Map<String, Boolean> vars = new LinkedHashMap<>();

        Parser(String s, boolean strictBraces) {
            this.s = s;
            this.strictBraces = strictBraces;
        }

        private RuntimeException fail() {
            return new IllegalArgumentException("unsupported at " + pos);
        }

        private boolean peek(String t) {
            return s.startsWith(t, pos);
        }

        private boolean peekCommand(String name) {
            if (!s.startsWith("\\" + name, pos)) {
                return false;
            }
            int e = pos + 1 + name.length();
            return e >= s.length() || !Character.isLetter(s.charAt(e));
        }

        private void skipSpaces() {
            while (pos < s.length() && s.charAt(pos) == ' ') {
                pos++;
            }
        }

        Node expr() {
            if (++depth > MAX_DEPTH) {
                throw fail();
            }
            Node left = term();
            while (true) {
                skipSpaces();
                if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                    char op = s.charAt(pos++);
                    Node right = term();
                    left = new Bin(op, left, right);
                } else {
                    break;
                }
            }
            depth--;
            return left;
        }

        Node term() {
            Node left = unary();
            while (true) {
                skipSpaces();
                if (pos >= s.length()) {
                    break;
                }
                char c = s.charAt(pos);
                if (c == '*') {
                    pos++;
                    left = new Bin('*', left, unary());
                } else if (peekCommand("cdot") || peekCommand("times")) {
                    pos += peekCommand("cdot") ? 5 : 6;
                    left = new Bin('*', left, unary());
                } else if (c == '/') {
                    pos++;
                    left = new Bin('/', left, unary());
                } else if (peekCommand("div")) {
                    pos += 4;
                    left = new Bin('/', left, unary());
                } else if (startsAtom()) {
                    left = new Bin('*', left, power());
                } else {
                    break;
                }
            }
            return left;
        }

        /** Whether an implicit product continues here. */
        private boolean startsAtom() {
            char c = s.charAt(pos);
            if (Character.isDigit(c) || Character.isLetter(c) || c == '(' || c == '{' || c == '.') {
                return true;
            }
            if (c == '|') {
                return absDepth == 0;
            }
            if (c == '\\') {
                int e = pos + 1;
                while (e < s.length() && Character.isLetter(s.charAt(e))) {
                    e++;
                }
                String name = s.substring(pos + 1, e);
                return !(name.equals("cdot") || name.equals("times") || name.equals("div") || name.isEmpty());
            }
            return false;
        }

        Node unary() {
            skipSpaces();
            if (peek("-")) {
                pos++;
                return new Neg(unary());
            }
            if (peek("+")) {
                pos++;
                return unary();
            }
            return power();
        }

        Node power() {
            Node base = postfix();
            skipSpaces();
            if (peek("^")) {
                pos++;
                Node e = scriptArg();
                skipSpaces();
                while (peek("!")) {
                    pos++;
                }
                return new Pow(base, e);
            }
            return base;
        }

        /** The argument of ^ or _: a braced group or a single digit/letter/command. */
        Node scriptArg() {
            skipSpaces();
            if (peek("{")) {
                return group('{', '}');
            }
            if (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                return new Num(new BigDecimal(String.valueOf(s.charAt(pos++))));
            }
            if (peek("-")) {
                pos++;
                return new Neg(scriptArg());
            }
            return atom();
        }

        Node postfix() {
            Node a = atom();
            skipSpaces();
            while (peek("!")) {
                pos++;
                a = new Fact(a);
            }
            return a;
        }

        Node group(char open, char close) {
            if (pos >= s.length() || s.charAt(pos) != open) {
                throw fail();
            }
            pos++;
            Node n = expr();
            skipSpaces();
            if (pos >= s.length() || s.charAt(pos) != close) {
                throw fail();
            }
            pos++;
            return n;
        }

        /** A braced argument, or with loose braces a single digit/letter. */
        Node braceArg() {
            skipSpaces();
            if (peek("{")) {
                return group('{', '}');
            }
            if (strictBraces || pos >= s.length()) {
                throw fail();
            }
            char c = s.charAt(pos);
            if (Character.isDigit(c)) {
                pos++;
                return new Num(new BigDecimal(String.valueOf(c)));
            }
            if (Character.isLetter(c)) {
                pos++;
                return variable(String.valueOf(c));
            }
            throw fail();
        }

        Node variable(String name) {
            if (name.equals("e")) {
                return new Const(Math.E);
            }
            vars.put(name, Boolean.TRUE);
            return new Var(name);
        }

        Node atom() {
            skipSpaces();
            if (pos >= s.length()) {
                throw fail();
            }
            char c = s.charAt(pos);
            if (Character.isDigit(c) || c == '.') {
                int st = pos;
                while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                    pos++;
                }
                if (pos < s.length() - 1 && s.charAt(pos) == '.' && Character.isDigit(s.charAt(pos + 1))) {
                    pos++;
                    decimal = true;
                    while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                        pos++;
                    }
                }
                if (st == pos) {
                    throw fail();
                }
                String lit = s.substring(st, pos);
                // scientific notation 1.5e3 / 2E-4 (digits right after the e)
                if (pos + 1 < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                    int q = pos + 1;
                    if (q < s.length() && (s.charAt(q) == '+' || s.charAt(q) == '-')) {
                        q++;
                    }
                    int ds = q;
                    while (q < s.length() && Character.isDigit(s.charAt(q))) {
                        q++;
                    }
                    if (q > ds && q - ds <= 4) {
                        decimal = true;
                        BigDecimal v = new BigDecimal(lit + "E" + s.substring(pos + 1, q));
                        pos = q;
                        return new Num(v);
                    }
                }
                // a mixed number 2\frac{1}{2} (an integer followed by a fraction of integers)
                if (lit.indexOf('.') < 0) {
                    java.util.regex.Matcher mixed = MIXED.matcher(s).region(pos, s.length());
                    if (mixed.lookingAt() && (st == 0 || s.charAt(st - 1) != '^')
                            && new BigDecimal(mixed.group(1)).compareTo(new BigDecimal(mixed.group(2))) < 0
                            && (mixed.end() == s.length() || "+-=,)]}".indexOf(s.charAt(mixed.end())) >= 0)) {
                        pos = mixed.end();
                        Node frac = new Bin('/', new Num(new BigDecimal(mixed.group(1))), new Num(new BigDecimal(mixed.group(2))));
                        return new Bin('+', new Num(new BigDecimal(lit)), frac);
                    }
                }
                return new Num(new BigDecimal(lit));
            }
            if (c == '(') {
                return group('(', ')');
            }
            if (c == '{') {
                return group('{', '}');
            }
            if (c == '[') {
                return group('[', ']');
            }
            if (c == '|' && absDepth == 0) {
                pos++;
                absDepth++;
                Node n = expr();
                absDepth--;
                if (!peek("|")) {
                    throw fail();
                }
                pos++;
                return new Abs(n);
            }
            if (Character.isLetter(c)) {
                pos++;
                String name = String.valueOf(c);
                return subscripted(name);
            }
            if (c == '\\') {
                int e = pos + 1;
                while (e < s.length() && Character.isLetter(s.charAt(e))) {
                    e++;
                }
                String name = s.substring(pos + 1, e);
                pos = e;
                skipSpaces();
                switch (name) {
                    case "frac" -> {
                        Node a = braceArg();
                        Node b = braceArg();
                        return new Bin('/', a, b);
                    }
                    case "sqrt" -> {
                        Node index = null;
                        if (peek("[")) {
                            index = group('[', ']');
                        }
                        return new Root(braceArg(), index);
                    }
                    case "binom" -> {
                        return new Binom(braceArg(), braceArg());
                    }
                    case "pi" -> {
                        return new Const(Math.PI);
                    }
                    case "infty" -> {
                        infinity = true;
                        return new Const(Double.POSITIVE_INFINITY);
                    }
                    case "text" -> {
                        // \text{e} (Euler's number written upright) only
                        if (peek("{e}")) {
                            pos += 3;
                            return new Const(Math.E);
                        }
                        throw fail();
                    }
                    default -> {
                        if (GREEK.contains(name)) {
                            return subscripted("\\" + name);
                        }
                        if (FUNCS.contains(name)) {
                            return function(name);
                        }
                        throw fail();
                    }
                }
            }
            throw fail();
        }

        Node subscripted(String name) {
            if (peek("_")) {
                int st = pos;
                pos++;
                if (peek("{")) {
                    int close = LatexNormalizer.matchingClose(s, pos);
                    if (close < 0) {
                        throw fail();
                    }
                    pos = close + 1;
                } else if (pos < s.length()) {
                    pos++;
                }
                name = name + s.substring(st, pos);
            }
            return variable(name);
        }

        Node function(String name) {
            Node base = null;
            if (name.equals("log") && peek("_")) {
                pos++;
                base = scriptArg();
            }
            Node power = null;
            skipSpaces();
            if (peek("^")) {
                pos++;
                power = scriptArg();
            }
            skipSpaces();
            Node arg;
            if (peek("(")) {
                arg = group('(', ')');
            } else if (peek("{")) {
                arg = group('{', '}');
            } else {
                arg = power();
            }
            Node f = new Func(name, arg, base);
            if (power != null) {
                // sin^{-1} is arcsin in this notation; not supported
                Rational p = power.exact();
                if (p != null && p.num().signum() < 0) {
                    throw fail();
                }
                f = new Pow(f, power);
            }
            return f;
        }
    }
}
