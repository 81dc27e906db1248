using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.MLNet.Tests;

public static class Models
{
    public static nn.Module<Tensor, Tensor> Mlp(int inputs, int hidden, int outputs) => nn.Sequential(
        ("fc1", nn.Linear(inputs, hidden)),
        ("relu", nn.ReLU()),
        ("fc2", nn.Linear(hidden, outputs)));
}
