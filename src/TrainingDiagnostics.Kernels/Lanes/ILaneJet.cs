using System.Numerics;

namespace TrainingDiagnostics.Kernels.Lanes;

/// <summary>
/// What the one rule set (<c>TaylorRules</c>, through <see cref="LaneArithmetic{TLanes}"/>) needs of a lane jet:
/// its coefficient storage. The lane jets differ only in capacity (<see cref="JetLanes"/> holds orders 0..8,
/// <see cref="JetLanes4"/> 0..4 and <see cref="JetLanes1"/> 0..1): the CPU executor takes the smallest that
/// holds the order asked for, because a struct copy (every operator argument and result is one) costs in
/// proportion to the capacity, and above 256 bytes the JIT copies through a helper call (measured: those
/// copies were most of the lane path's time at low orders).
/// </summary>
/// <typeparam name="TSelf">The lane jet type itself.</typeparam>
internal interface ILaneJet<TSelf> : IJet<TSelf>
    where TSelf : struct, ILaneJet<TSelf>
{
    /// <summary>The highest order the type holds.</summary>
    static abstract int MaxOrder { get; }

    /// <summary>A jet of the given order whose coefficients 0..order the caller sets, all of them.</summary>
    static abstract TSelf Uninitialized(int order);

    /// <summary>The variables t ↦ x + t of every lane (order clamped into 0..MaxOrder).</summary>
    static abstract TSelf Variable(Vector<double> x, int order);

    /// <summary>Constant jets, one constant per lane (order clamped into 0..MaxOrder).</summary>
    static abstract TSelf Constant(Vector<double> c, int order);

    /// <summary>Coefficient k (0..Order; not checked against Order).</summary>
    Vector<double> At(int k);

    /// <summary>Sets coefficient k (0..Order).</summary>
    void Set(int k, Vector<double> value);

    /// <summary>The scalar jet of one lane.</summary>
    Jet Lane(int lane);

    /// <summary>Sets one lane's coefficients 0..Order from a scalar jet.</summary>
    void SetLane(int lane, in Jet jet);
}
