/** A built model's weights by graph id and as the optimizer's variables, and the errors when model and graph do not belong together. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ArchitectureError } from '../../../src/core/arch/resolve';
import { buildModel } from '../../../src/trainer/model/build';
import { backingVariable, layerVariables, layerWeight, trainableVariables } from '../../../src/trainer/model/variables';
import { arch, conv, useCpuBackend } from './helpers';

describe('model variables by graph id', () => {
  useCpuBackend();

  it('gives the trainable weights as the tf.Variables they hold, in the model\'s order', () => {
    const a = arch('standard', [conv('stem', 4), conv('b.c1', 4)], [{ id: 'b', from: 'b.c1', to: 'b.c1' }]);
    const model = buildModel(a, { seed: 1 });
    const variables = trainableVariables(model);
    assert.equal(variables.length, model.trainableWeights.length);
    variables.forEach((v, i) => {
      const weight = model.trainableWeights[i];
      assert.ok(v instanceof tf.Variable);
      assert.equal(v, backingVariable(weight));
      // The same storage: writing the layer weight changes the variable the optimizer updates.
      assert.deepEqual(v.shape, weight.shape);
      assert.equal(v.trainable, true);
    });
    const kernel = layerWeight(model.getLayer('stem'), 'kernel')!;
    const replacement = tf.onesLike(kernel.read());
    kernel.write(replacement);
    assert.ok(backingVariable(kernel).dataSync().every((x) => x === 1));
    replacement.dispose();
    assert.equal(layerWeight(model.getLayer('stem'), 'gamma'), undefined);
    model.dispose();
  });

  it('maps each graph id to its own layers\' kernel, bias and γ', () => {
    // Reference style: convs have a bias and the BN before them; the strided block has a projection with a bias.
    const a = arch('reference', [conv('stem', 4), conv('b.c1', 6, 2), { kind: 'dense', id: 'fc', units: 5 }], [{ id: 'b', from: 'b.c1', to: 'b.c1' }]);
    const model = buildModel(a, { seed: 1 });
    const names = new Map([...layerVariables(model, a)].map(([id, v]) => [id, [v.kernel?.originalName, v.bias?.originalName, v.gamma?.originalName]]));
    assert.deepEqual(Object.fromEntries(names), {
      stem: ['stem/kernel', 'stem/bias', 'stem_bn/gamma'],
      'b.c1': ['b.c1/kernel', 'b.c1/bias', 'b.c1_bn/gamma'],
      'b.proj': ['b_proj/kernel', 'b_proj/bias', undefined],
      fc: ['fc/kernel', 'fc/bias', undefined],
      classifier: ['classifier/kernel', 'classifier/bias', undefined],
    });
    model.dispose();
  });

  it('names the graph layer the model lacks when model and architecture differ', () => {
    const small = arch('standard', [conv('stem', 4)], []);
    const larger = arch('standard', [conv('stem', 4), conv('extra', 4)], []);
    const model = buildModel(small, { seed: 1 });
    assert.throws(
      () => layerVariables(model, larger),
      (e: unknown) => e instanceof ArchitectureError && e.at === 'extra' && /has no TF\.js layer "extra" for "extra"; was it built from this architecture\?/.test(e.message),
    );
    const withDense = arch('standard', [conv('stem', 4), { kind: 'dense', id: 'fc', units: 5 }], []);
    assert.throws(() => layerVariables(model, withDense), (e: unknown) => e instanceof ArchitectureError && e.at === 'fc');
    model.dispose();
  });

  it('refuses a layer id that takes the key of a shortcut projection', () => {
    // Skip "b" strides, so it has a projection keyed "b.proj", which is also a conv's id.
    const a = arch('standard', [conv('stem', 4), conv('b.proj', 8, 2)], [{ id: 'b', from: 'b.proj', to: 'b.proj' }]);
    const model = buildModel(a, { seed: 1 });
    assert.throws(
      () => layerVariables(model, a),
      (e: unknown) => e instanceof ArchitectureError && e.at === 'b.proj' && /Layer id "b\.proj" clashes with a name reserved for a shortcut projection or the classifier/.test(e.message),
    );
    model.dispose();
  });
});
