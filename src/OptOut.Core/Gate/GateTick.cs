namespace OptOut.Core.Gate;

/// <summary>Nothing happened for a while: a chance to show progress.</summary>
public sealed record GateTick : GateEvent
{
    /// <summary>The one tick.</summary>
    public static GateTick Instance { get; } = new();
}
