using System.Linq;
using KernelDsl.Generators.Model;

namespace KernelDsl.Generators.Emitting;

/// <summary>Renders the message m(edge, source) as scalar C# (kernels, tails) and, when possible, as vector C# (<see cref="VectorApi"/>).</summary>
internal static class MessageRenderer
{
    /// <summary>Scalar expression of the message for locals named <paramref name="edge"/> and <paramref name="source"/>.</summary>
    public static string Scalar(SpMMSpec spec, string edge, string source)
    {
        if (spec.Message is { Body: { } body }) return Scalar(body, spec.ElementType, edge, source);
        if (spec.Message is { } call) return $"{call.CallTarget}({edge}, {source})";
        return spec.Adjacency == AdjacencyKind.Weighted ? $"{edge} * {source}" : source;
    }

    /// <summary>True when the message is vectorizable (or the default one).</summary>
    public static bool IsVectorizable(SpMMSpec spec) =>
        spec.Message is null || (spec.Message.Body is { } body && spec.Message.ElementTyped && IsVectorizable(body));

    /// <summary>Vector expression of the message for vector locals <paramref name="edge"/> and <paramref name="source"/> of <paramref name="api"/>.</summary>
    public static string Vector(SpMMSpec spec, VectorApi api, string edge, string source)
    {
        if (spec.Message is { Body: { } body }) return Vector(body, api, spec.ElementType, edge, source);
        return spec.Adjacency == AdjacencyKind.Weighted ? $"{edge} * {source}" : source;
    }

    /// <summary>True when <paramref name="code"/> mentions the identifier <paramref name="name"/>.</summary>
    public static bool Uses(string code, string name) =>
        System.Text.RegularExpressions.Regex.IsMatch(code, @"(?<![\w.])" + name + @"(?!\w)");

    /// <summary>A literal of its own C# type.</summary>
    public static string Literal(LiteralExpr literal) => literal.Type switch
    {
        "float" => literal.Value + "f",
        "double" => literal.Value + "d",
        "long" => literal.Value + "L",
        _ => literal.Value,
    };

    private static string Scalar(MessageExpr expr, string type, string edge, string source) => expr switch
    {
        ParameterExpr p => p.Index == 0 ? edge : source,
        LiteralExpr l => Literal(l),
        BinaryExpr b => $"({Scalar(b.Left, type, edge, source)} {b.Operator} {Scalar(b.Right, type, edge, source)})",
        UnaryExpr u => $"{u.Operator}({Scalar(u.Operand, type, edge, source)})",
        CastExpr c => $"({c.TargetType})({Scalar(c.Operand, type, edge, source)})",
        CallExpr call => $"global::System.{call.Function}({string.Join(", ", call.Arguments.Select(a => Scalar(a, type, edge, source)))})",
        _ => throw new System.InvalidOperationException("unknown message node " + expr.GetType().Name),
    };

    private static bool IsVectorizable(MessageExpr expr) => expr switch
    {
        ParameterExpr or LiteralExpr => true,
        BinaryExpr b => IsVectorizable(b.Left) && IsVectorizable(b.Right),
        UnaryExpr u => IsVectorizable(u.Operand),
        CastExpr c => IsVectorizable(c.Operand),
        CallExpr call => VectorApi.Preferred.Function(call.Function) is not null && call.Arguments.All(IsVectorizable),
        _ => false,
    };

    private static string Vector(MessageExpr expr, VectorApi api, string type, string edge, string source) => expr switch
    {
        ParameterExpr p => p.Index == 0 ? edge : source,
        LiteralExpr l => api.Splat(type, (l.Type == type ? "" : "(" + type + ")") + Literal(l)),
        BinaryExpr b => $"({Vector(b.Left, api, type, edge, source)} {b.Operator} {Vector(b.Right, api, type, edge, source)})",
        UnaryExpr u => $"{u.Operator}({Vector(u.Operand, api, type, edge, source)})",
        // Only element-typed messages get here (MessageSpec.ElementTyped): a cast is to the element type, a no-op.
        CastExpr c => Vector(c.Operand, api, type, edge, source),
        CallExpr call => $"{api.Function(call.Function)}({string.Join(", ", call.Arguments.Select(a => Vector(a, api, type, edge, source)))})",
        _ => throw new System.InvalidOperationException("unknown message node " + expr.GetType().Name),
    };
}
