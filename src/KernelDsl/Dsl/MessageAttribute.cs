namespace KernelDsl;

/// <summary>
/// Marks a message function <c>static T M(T edge, T source)</c> that an <see cref="SpMMAttribute"/>
/// names. It must be pure: no instance or mutable static state, no allocation, no exceptions, and
/// only calls ILGPU can compile (<see cref="Math"/> and <see cref="MathF"/> functions). A body that
/// is a single expression of arithmetic, <c>Abs</c>, <c>Min</c>, <c>Max</c> and <c>Sqrt</c> is
/// inlined as SIMD code in the native backend; any other body is called per element.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class MessageAttribute : Attribute
{
}
