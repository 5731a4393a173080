namespace KernelDsl.Generators.Model;

/// <summary>
/// A user message function's body as a small expression tree, built by Parsing and rendered by
/// Emitting as scalar code (kernels, scalar tails) and, where every node allows it, as SIMD code.
/// </summary>
internal abstract record MessageExpr;

/// <summary>A parameter: 0 = edge value, 1 = source feature.</summary>
internal sealed record ParameterExpr(int Index) : MessageExpr;

/// <summary>A numeric literal or constant, in invariant-culture round-trip form, with its C# type (float, double, int, long).</summary>
internal sealed record LiteralExpr(string Value, string Type) : MessageExpr;

/// <summary>A binary arithmetic operator: + - * /.</summary>
internal sealed record BinaryExpr(string Operator, MessageExpr Left, MessageExpr Right) : MessageExpr;

/// <summary>Unary minus or plus.</summary>
internal sealed record UnaryExpr(string Operator, MessageExpr Operand) : MessageExpr;

/// <summary>A conversion to float or double.</summary>
internal sealed record CastExpr(string TargetType, MessageExpr Operand) : MessageExpr;

/// <summary>A call of a System.Math / System.MathF function, as "Math.Sqrt" or "MathF.Max".</summary>
internal sealed record CallExpr(string Function, EquatableArray<MessageExpr> Arguments) : MessageExpr;
