using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using KernelDsl.Generators.Diagnostics;
using KernelDsl.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelDsl.Generators.Parsing;

/// <summary>
/// Finds and checks a [Message] function: signature, static, purity (no state, allocation,
/// exceptions, or calls ILGPU cannot compile), and turns a single-expression body into a
/// <see cref="MessageExpr"/> tree.
/// </summary>
internal static class MessageParser
{
    /// <summary>System.Math / System.MathF functions ILGPU compiles into kernels.</summary>
    public static readonly HashSet<string> KernelFunctions = new(System.StringComparer.Ordinal)
    {
        "Abs", "Min", "Max", "Sqrt", "Exp", "Log", "Log2", "Log10", "Pow", "Sin", "Cos", "Tan",
        "Sinh", "Cosh", "Tanh", "Asin", "Acos", "Atan", "Atan2", "Floor", "Ceiling",
    };

    /// <summary>
    /// How deeply a message expression may nest to be inlined (KDSL4008). Parsing and rendering recurse once per level,
    /// and the compiler binds the generated expression recursively; 256 levels is far beyond any real message and
    /// well inside every stack those run on.
    /// </summary>
    public const int MaxInlinedDepth = 256;

    /// <summary>Nesting depth of an expression, counted without recursion (a message may nest thousands deep).</summary>
    private static int Depth(ExpressionSyntax expression)
    {
        var depths = new Dictionary<SyntaxNode, int> { [expression] = 1 };
        int max = 1;
        foreach (var node in expression.DescendantNodes())
        {
            int depth = (node.Parent is { } parent && depths.TryGetValue(parent, out int d) ? d : 0) + (node is ExpressionSyntax ? 1 : 0);
            depths[node] = depth;
            if (depth > max) max = depth;
        }
        return max;
    }

    public static string KernelFunctionList => string.Join(", ", KernelFunctions.OrderBy(f => f, System.StringComparer.Ordinal));

    public static MessageSpec? Parse(string messageName, LocationInfo? argumentLocation, INamedTypeSymbol containingType,
        string elementType, Compilation compilation, List<DiagnosticInfo> diagnostics, CancellationToken ct)
    {
        var candidates = containingType.GetMembers(messageName).OfType<IMethodSymbol>().ToList();
        if (candidates.Count == 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MessageNotFound, argumentLocation,
                messageName, $"does not exist in '{containingType.Name}'", elementType));
            return null;
        }
        var method = candidates.FirstOrDefault(HasMessageAttribute);
        if (method is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MessageNotFound, argumentLocation,
                messageName, "is not marked [Message]", elementType));
            return null;
        }
        var methodLocation = LocationInfo.From(method.Locations.FirstOrDefault());
        bool signatureOk = !method.IsGenericMethod
            && method.Parameters.Length == 2
            && method.Parameters.All(p => p.RefKind == RefKind.None && OperandClassifier.ElementKeyword(p.Type) == elementType)
            && OperandClassifier.ElementKeyword(method.ReturnType) == elementType;
        if (!signatureOk)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MessageNotFound, methodLocation,
                messageName, "has the wrong signature", elementType));
            return null;
        }
        if (!method.IsStatic)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MessageNotStatic, methodLocation, messageName));
            return null;
        }

        var syntax = method.DeclaringSyntaxReferences.Select(r => r.GetSyntax(ct)).OfType<MethodDeclarationSyntax>()
            .FirstOrDefault(m => m.Body is not null || m.ExpressionBody is not null);
        if (syntax is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MessageNotFound, methodLocation,
                messageName, "has no body in source", elementType));
            return null;
        }
        var model = compilation.GetSemanticModel(syntax.SyntaxTree);
        int before = diagnostics.Count;
        CheckPurity(syntax, messageName, model, diagnostics, ct);
        if (diagnostics.Count != before) return null;

        string target = method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + method.Name;
        var expression = syntax.ExpressionBody?.Expression
            ?? (syntax.Body!.Statements.Count == 1 && syntax.Body.Statements[0] is ReturnStatementSyntax { Expression: { } e } ? e : null);
        var parameters = method.Parameters.Select(p => p.Name).ToArray();
        if (expression is not null && Depth(expression) is var depth && depth > MaxInlinedDepth)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MessageTooLarge, LocationInfo.From(expression), messageName,
                depth.ToString(CultureInfo.InvariantCulture), MaxInlinedDepth.ToString(CultureInfo.InvariantCulture)));
            return null;
        }
        var element = elementType == "double" ? SpecialType.System_Double : SpecialType.System_Single;
        bool elementTyped = true;
        var body = expression is null ? null : ToExpr(expression, model, parameters, element, ref elementTyped, ct);
        return new MessageSpec(target, body, elementTyped);
    }

    private static bool HasMessageAttribute(IMethodSymbol method) =>
        method.GetAttributes().Any(a => a.AttributeClass is { } c && OperandClassifier.MetadataName(c) == KnownTypes.MessageAttribute);

    private static void CheckPurity(MethodDeclarationSyntax syntax, string name, SemanticModel model, List<DiagnosticInfo> diagnostics, CancellationToken ct)
    {
        SyntaxNode body = (SyntaxNode?)syntax.Body ?? syntax.ExpressionBody!;
        foreach (var node in body.DescendantNodesAndSelf())
        {
            ct.ThrowIfCancellationRequested();
            // What a throw throws is part of that one mistake (KDSL4007), not a second one (the exception's `new`).
            if (node.Ancestors().TakeWhile(a => a != body).Any(a => a is ThrowStatementSyntax or ThrowExpressionSyntax)) continue;
            var location = LocationInfo.From(node);
            switch (node)
            {
                case ThrowStatementSyntax or ThrowExpressionSyntax:
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MessageThrows, location, name));
                    break;
                case TryStatementSyntax:
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MessageCallsUnsupportedApi, location, name, "try/catch", MessageParser.KernelFunctionList));
                    break;
                case ThisExpressionSyntax or BaseExpressionSyntax:
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MessageCapturesState, location, name, node.ToString()));
                    break;
                case ArrayCreationExpressionSyntax or ImplicitArrayCreationExpressionSyntax or CollectionExpressionSyntax:
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MessageAllocates, location, name, "an array"));
                    break;
                case InterpolatedStringExpressionSyntax:
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MessageAllocates, location, name, "a string"));
                    break;
                case AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax:
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MessageAllocates, location, name, "a closure"));
                    break;
                case BaseObjectCreationExpressionSyntax creation:
                    if (model.GetTypeInfo(creation, ct).Type is { IsReferenceType: true } created)
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MessageAllocates, location, name, "new " + created.Name));
                    break;
                case BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.AddExpression)
                        && model.GetTypeInfo(binary, ct).Type?.SpecialType == SpecialType.System_String:
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MessageAllocates, location, name, "a string"));
                    break;
                case InvocationExpressionSyntax invocation:
                    if (model.GetSymbolInfo(invocation, ct).Symbol is IMethodSymbol called && !IsKernelFunction(called))
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MessageCallsUnsupportedApi, location, name,
                            called.ContainingType.Name + "." + called.Name, MessageParser.KernelFunctionList));
                    break;
                case IdentifierNameSyntax identifier:
                    var symbol = model.GetSymbolInfo(identifier, ct).Symbol;
                    if (symbol is IFieldSymbol { IsConst: false } or IPropertySymbol or IEventSymbol)
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MessageCapturesState, location, name, symbol.Name));
                    break;
            }
        }
    }

    private static bool IsKernelFunction(IMethodSymbol method) =>
        method.ContainingType is { } t
        && t.ContainingNamespace?.ToDisplayString() == "System"
        && (t.Name == "Math" || t.Name == "MathF")
        && KernelFunctions.Contains(method.Name);

    /// <summary>
    /// The expression as a tree. <paramref name="elementTyped"/> turns false when an operation computes in another type
    /// than the element type (e.g. a double intermediate in a float message): the SIMD path, which computes every
    /// operation in the element type, would then compute another function, so only scalar code is generated.
    /// </summary>
    private static MessageExpr? ToExpr(ExpressionSyntax expression, SemanticModel model, string[] parameters, SpecialType element, ref bool elementTyped, CancellationToken ct)
    {
        switch (expression)
        {
            case ParenthesizedExpressionSyntax p:
                return ToExpr(p.Expression, model, parameters, element, ref elementTyped, ct);
            case IdentifierNameSyntax id when model.GetSymbolInfo(id, ct).Symbol is IParameterSymbol parameter:
                int index = System.Array.IndexOf(parameters, parameter.Name);
                return index < 0 ? null : new ParameterExpr(index);
        }
        var constant = model.GetConstantValue(expression, ct);
        if (constant.HasValue)
        {
            return constant.Value switch
            {
                double d when !double.IsNaN(d) && !double.IsInfinity(d) => new LiteralExpr(d.ToString("R", CultureInfo.InvariantCulture), "double"),
                float f when !float.IsNaN(f) && !float.IsInfinity(f) => new LiteralExpr(f.ToString("R", CultureInfo.InvariantCulture), "float"),
                int i => new LiteralExpr(i.ToString(CultureInfo.InvariantCulture), "int"),
                long l => new LiteralExpr(l.ToString(CultureInfo.InvariantCulture), "long"),
                _ => null,
            };
        }
        if (model.GetTypeInfo(expression, ct).Type?.SpecialType != element) elementTyped = false;
        switch (expression)
        {
            case BinaryExpressionSyntax binary:
                string? op = binary.Kind() switch
                {
                    SyntaxKind.AddExpression => "+",
                    SyntaxKind.SubtractExpression => "-",
                    SyntaxKind.MultiplyExpression => "*",
                    SyntaxKind.DivideExpression => "/",
                    _ => null,
                };
                if (op is null) return null;
                var left = ToExpr(binary.Left, model, parameters, element, ref elementTyped, ct);
                var right = ToExpr(binary.Right, model, parameters, element, ref elementTyped, ct);
                return left is null || right is null ? null : new BinaryExpr(op, left, right);
            case PrefixUnaryExpressionSyntax unary when unary.IsKind(SyntaxKind.UnaryMinusExpression) || unary.IsKind(SyntaxKind.UnaryPlusExpression):
                var operand = ToExpr(unary.Operand, model, parameters, element, ref elementTyped, ct);
                return operand is null ? null : new UnaryExpr(unary.OperatorToken.Text, operand);
            case CastExpressionSyntax cast:
                var castType = OperandClassifier.ElementKeyword(model.GetTypeInfo(cast.Type, ct).Type);
                var inner = ToExpr(cast.Expression, model, parameters, element, ref elementTyped, ct);
                return castType is null || inner is null ? null : new CastExpr(castType, inner);
            case InvocationExpressionSyntax invocation when model.GetSymbolInfo(invocation, ct).Symbol is IMethodSymbol called && IsKernelFunction(called):
                var args = new List<MessageExpr>();
                foreach (var argument in invocation.ArgumentList.Arguments)
                {
                    var arg = ToExpr(argument.Expression, model, parameters, element, ref elementTyped, ct);
                    if (arg is null) return null;
                    args.Add(arg);
                }
                return new CallExpr(called.ContainingType.Name + "." + called.Name, new EquatableArray<MessageExpr>(args));
            default:
                return null;
        }
    }
}
