/**
 * A layer that holds a built-in TF.js layer and replaces only its training-mode forward pass.
 * The built-in layer lends it everything else: the weights (same names, same order), inference,
 * the output shape, and the class name and config it is saved under. A saved model therefore
 * holds the plain built-in layer, which `tf.loadLayersModel` reads without this project, and
 * nothing of TF.js is patched: this is TF.js's public custom-layer extension point.
 */
import * as tf from '@tensorflow/tfjs';

export abstract class TrainingPassLayer extends tf.layers.Layer {
  protected constructor(name: string | undefined, protected readonly builtIn: tf.layers.Layer) {
    super({ name });
  }

  /** The forward pass in training, given the built-in layer's weights in its own order. */
  protected abstract trainingCall(input: tf.Tensor, weights: tf.LayerVariable[]): tf.Tensor;

  /** Whether this input takes the own training pass; the others take the built-in layer's. */
  protected takesTrainingPass(_input: tf.Tensor): boolean {
    return true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    // Runs inside this layer's name scope, so the weights get the names the built-in layer's would.
    this.builtIn.build(inputShape);
    this.trainableWeights = this.builtIn.trainableWeights;
    this.nonTrainableWeights = this.builtIn.nonTrainableWeights;
    // Stryker disable next-line BooleanLiteral: TF.js's Layer.apply marks the layer built after build() returns anyway.
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return this.builtIn.computeOutputShape(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    // Stryker disable next-line OptionalChaining: TF.js's Layer.apply always passes a kwargs object; the chain is for direct calls.
    if (!kwargs?.training || !this.takesTrainingPass(input)) return this.builtIn.call(inputs, kwargs);
    return this.trainingCall(input, this.builtIn.weights);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return this.builtIn.getConfig();
  }

  override getClassName(): string {
    return this.builtIn.getClassName();
  }
}
