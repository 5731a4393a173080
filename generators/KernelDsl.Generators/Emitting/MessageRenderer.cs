using System.Linq;
using KernelDsl.Generators.Model;

namespace KernelDsl.Generators.Emitting;

/// <summary>Renders the message m(edge, source) as scalar C# (kernels, tails) and, when possible, as Vector&lt;T&gt; C#.</summary>
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

    /// <summary>Vector expression of the message for Vector&lt;T&gt; locals <paramref name="edge"/> and <paramref name="source"/>.</summary>
    public static string Vector(SpMMSpec spec, string edge, string source)
    {
        if (spec.Message is { Body: { } body }) return Vector(body, spec.ElementType, edge, source);
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
        CallExpr call => VectorFunction(call.Function) is not null && call.Arguments.All(IsVectorizable),
        _ => false,
    };

    private static string? VectorFunction(string function) => function.Substring(function.IndexOf('.') + 1) switch
    {
        "Abs" => "Abs",
        "Max" => "Max",
        "Min" => "Min",
        "Sqrt" => "SquareRoot",
        _ => null,
    };

    private static string Vector(MessageExpr expr, string type, string edge, string source) => expr switch
    {
        ParameterExpr p => p.Index == 0 ? edge : source,
        LiteralExpr l => $"new global::System.Numerics.Vector<{type}>({(l.Type == type ? "" : "(" + type + ")")}{Literal(l)})",
        BinaryExpr b => $"({Vector(b.Left, type, edge, source)} {b.Operator} {Vector(b.Right, type, edge, source)})",
        UnaryExpr u => $"{u.Operator}({Vector(u.Operand, type, edge, source)})",
        // Only element-typed messages get here (MessageSpec.ElementTyped): a cast is to the element type, a no-op.
        CastExpr c => Vector(c.Operand, type, edge, source),
        CallExpr call => $"global::System.Numerics.Vector.{VectorFunction(call.Function)}({string.Join(", ", call.Arguments.Select(a => Vector(a, type, edge, source)))})",
        _ => throw new System.InvalidOperationException("unknown message node " + expr.GetType().Name),
    };
}
