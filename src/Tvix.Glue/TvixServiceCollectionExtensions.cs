using Tvix.Eval;
using Tvix.Glue;
using Tvix.Store;
using Tvix.Store.Services;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a store-aware Nix evaluator with its castore and store in a DI container.</summary>
public static class TvixServiceCollectionExtensions
{
    /// <summary>
    /// Registers the castore and store (<c>AddTvixStore</c>, configured by
    /// <paramref name="configureStore"/>), the <see cref="EvaluatorOptions"/> of an evaluator wired to
    /// that store (a singleton, so every evaluator shares the glue's caches) and
    /// <see cref="Evaluator"/> (transient: one per resolution; an evaluator is single-threaded).
    /// </summary>
    public static IServiceCollection AddTvix(this IServiceCollection services, Action<TvixBuilder>? configure = null,
        Action<StoreOptions>? configureStore = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddTvixStore(configureStore);
        services.AddSingleton(sp =>
        {
            var builder = new TvixBuilder();
            configure?.Invoke(builder);
            builder.UseTvixStore(sp.GetRequiredService<TvixStore>());
            return builder.BuildOptions();
        });
        services.AddTransient(static sp => new Evaluator(sp.GetRequiredService<EvaluatorOptions>()));
        return services;
    }
}
