namespace GnnTrain;

/// <summary>The command line, parsed.</summary>
public sealed record RunSettings(string? Data, string Model, string Activation, int K, int Hidden, int Layers, int Epochs, float LearningRate,
    float WeightDecay, float Dropout, int Seed, int Splits, string Backend, string OutputFolder, int Nodes = 3000, double Degree = 8, int Classes = 6,
    string Order = "none");
