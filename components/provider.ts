/**
 * Entry point of the Pulumi component package (`PulumiPlugin.yaml`): the Node.js language host
 * runs `@pulumi/pulumi/cmd/run-plugin` on this directory, which loads package.json's `main`,
 * this file, and it serves every component over gRPC. npm consumers never load it: they resolve
 * the package through `exports`, i.e. `index.ts`. Exports nothing, so the host's automatic
 * discovery (which would name the package `components`) finds nothing to serve twice.
 */
import { RunError } from "@pulumi/pulumi/errors";
import { main } from "@pulumi/pulumi/provider";
import { PlatformComponentProvider } from "./providerOptions";

// A program importing the directory by relative path (`../components`) also lands here: refuse
// loudly rather than start a gRPC server inside it (a RunError: the caller's mistake, no stack trace).
if (!/[\\/]cmd[\\/]run-plugin[\\/]index\.js$/.test(require.main?.filename ?? "")) {
  throw new RunError(
    "components/provider.ts is the Pulumi plugin entry; import the components from " +
      "@secure-azure-platform/components or components/index.ts",
  );
}
// What `componentProviderHost` does (experimental/provider.js: a ComponentProvider served by the
// provider server's `main`), with our provider: callers' argument errors become property errors.
void main(new PlatformComponentProvider(), process.argv.slice(2));
