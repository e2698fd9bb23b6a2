import type { Sink } from '../shared/bus/transport.js';
import type { Codec } from '../shared/codec/codec.js';
import type { ModelUpdate } from '../shared/contracts/records.js';

export type ModelUpdateSender = (update: ModelUpdate) => Promise<void>;

/**
 * Sends pointer moves to the model-updates topic (key = model), where every scorer reloads on
 * them; the registry's CURRENT file is already moved, the record only makes the swap prompt.
 */
export function modelUpdateSender(sink: Sink, codec: Codec, topic: string): ModelUpdateSender {
  return (update) =>
    sink.send([
      { topic, key: update.model, value: codec.encode('ModelUpdate', update), timestamp: update.time },
    ]);
}
