namespace TrainingDiagnostics.Report.Analysis;

/// <summary>The median by selection (Hoare's quickselect, median-of-three pivots): O(n) expected, reorders its input.</summary>
internal static class Median
{
    /// <summary>The median of <paramref name="values"/> (the mean of the two middle values for an even count), or null when empty.</summary>
    public static double? Of(Span<double> values)
    {
        int n = values.Length;
        if (n == 0)
        {
            return null;
        }

        double upper = Select(values, n / 2);
        if (n % 2 == 1)
        {
            return upper;
        }

        // After selecting n/2, everything left of it is <= it: the other middle value is the largest of those.
        double lower = double.NegativeInfinity;
        foreach (double v in values[..(n / 2)])
        {
            lower = Math.Max(lower, v);
        }

        return (lower + upper) / 2;
    }

    private static double Select(Span<double> a, int k)
    {
        int lo = 0, hi = a.Length - 1;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo) / 2);
            if (a[mid] < a[lo]) { (a[mid], a[lo]) = (a[lo], a[mid]); }
            if (a[hi] < a[lo]) { (a[hi], a[lo]) = (a[lo], a[hi]); }
            if (a[hi] < a[mid]) { (a[hi], a[mid]) = (a[mid], a[hi]); }
            double pivot = a[mid];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (a[i] < pivot) { i++; }
                while (a[j] > pivot) { j--; }
                if (i <= j)
                {
                    (a[i], a[j]) = (a[j], a[i]);
                    i++;
                    j--;
                }
            }

            if (k <= j) { hi = j; }
            else if (k >= i) { lo = i; }
            else { return a[k]; }
        }

        return a[k];
    }
}
