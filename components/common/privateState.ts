/**
 * State a component keeps for its methods or for TypeScript callers, but must not publish.
 * The SDK's component schema analysis (`@pulumi/pulumi/provider/experimental/analyzer`) reads
 * every property declared on a component class as an output, `private` included, and the
 * component provider returns them all as the component's state. Such state therefore lives in
 * a WeakMap keyed by the instance, read through methods or getters (accessors are not analysed).
 */
export class PrivateState<Owner extends object, State> {
  private readonly states = new WeakMap<Owner, State>();

  set(owner: Owner, state: State): void {
    this.states.set(owner, state);
  }

  get(owner: Owner): State {
    const state = this.states.get(owner);
    // Only this package's own methods read the state: a miss is a bug here, not caller input.
    if (state === undefined) throw new Error("component state read before the constructor set it");
    return state;
  }
}
