using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;

namespace KernelDsl.CodeFixes;

/// <summary>What every KernelDsl fix shares: batch fix-all, the document's root, one registration per diagnostic.</summary>
public abstract class KernelDslCodeFix : CodeFixProvider
{
    public sealed override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null) return;
        foreach (var diagnostic in context.Diagnostics) Register(context, root, diagnostic);
    }

    /// <summary>Registers the fix for <paramref name="diagnostic"/>, or nothing when it is not mechanical here.</summary>
    protected abstract void Register(CodeFixContext context, SyntaxNode root, Diagnostic diagnostic);

    /// <summary>The document with <paramref name="old"/> replaced.</summary>
    protected static Task<Document> Replace(Document document, SyntaxNode root, SyntaxNode old, SyntaxNode replacement) =>
        Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(old, replacement)));
}
