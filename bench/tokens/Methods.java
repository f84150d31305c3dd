package bench;

import java.util.function.IntUnaryOperator;

/** Small methods whose Java source and jbgen assembly are counted in tokens (bench/tokens.py). */
public class Methods {

    public static int add(int a, int b) {
        return a + b;
    }

    public static long mulAdd(long a, long b, long c) {
        return a * b + c;
    }

    public static int average(int a, int b) {
        return (a + b) >>> 1;
    }

    public static int clamp(int x, int lo, int hi) {
        if (x < lo) {
            return lo;
        }
        if (x > hi) {
            return hi;
        }
        return x;
    }

    public static int abs(int x) {
        return x < 0 ? -x : x;
    }

    public static long maxOf(long a, long b) {
        return a >= b ? a : b;
    }

    public static int min3(int a, int b, int c) {
        return Math.min(a, Math.min(b, c));
    }

    public static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    public static int popcount(int x) {
        int count = 0;
        while (x != 0) {
            x &= x - 1;
            count++;
        }
        return count;
    }

    public static boolean isPowerOfTwo(long x) {
        return x > 0 && (x & (x - 1)) == 0;
    }

    public static int reverseBits(int x) {
        int r = 0;
        for (int i = 0; i < 32; i++) {
            r = (r << 1) | (x & 1);
            x >>>= 1;
        }
        return r;
    }

    public static String greet(String name, int age) {
        return "Hello, " + name + "! You are " + age + " years old.";
    }

    public static String repeat(String s, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(s);
        }
        return sb.toString();
    }

    public static long sum(int[] a) {
        long total = 0;
        for (int x : a) {
            total += x;
        }
        return total;
    }

    public static int max(int[] a) {
        int best = Integer.MIN_VALUE;
        for (int i = 0; i < a.length; i++) {
            if (a[i] > best) {
                best = a[i];
            }
        }
        return best;
    }

    public static void reverse(int[] a) {
        for (int i = 0, j = a.length - 1; i < j; i++, j--) {
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    public static boolean contains(int[] a, int key) {
        for (int x : a) {
            if (x == key) {
                return true;
            }
        }
        return false;
    }

    public static int countDigits(long n) {
        int count = 1;
        while (n >= 10 || n <= -10) {
            n /= 10;
            count++;
        }
        return count;
    }

    public static String dayName(int day) {
        switch (day) {
            case 1: return "Monday";
            case 2: return "Tuesday";
            case 3: return "Wednesday";
            case 4: return "Thursday";
            case 5: return "Friday";
            case 6: return "Saturday";
            case 7: return "Sunday";
            default: return "unknown";
        }
    }

    public static int sign(int x) {
        return x > 0 ? 1 : x < 0 ? -1 : 0;
    }

    public static String grade(int score) {
        return score >= 90 ? "A" : score >= 80 ? "B" : score >= 70 ? "C" : "F";
    }

    public static int applyTwice(int x) {
        IntUnaryOperator f = v -> v * 3 + 1;
        return f.applyAsInt(f.applyAsInt(x));
    }

    public static int parseOr(String s, int fallback) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    public static double hypot(double x, double y) {
        return Math.sqrt(x * x + y * y);
    }

    public static int fib(int n) {
        int a = 0;
        int b = 1;
        for (int i = 0; i < n; i++) {
            int t = a + b;
            a = b;
            b = t;
        }
        return a;
    }
}
