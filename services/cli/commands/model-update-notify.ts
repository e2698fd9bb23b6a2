import { modelUpdateSender } from '../../retrainer/model-update-sender.js';
import { createTransport } from '../../shared/bus/create-transport.js';
import { createCodec } from '../../shared/codec/create-codec.js';
import type { Config } from '../../shared/config/config-schema.js';
import type { ModelUpdate } from '../../shared/contracts/records.js';
import type { Logger } from '../../shared/logging/logger.js';

/**
 * Publishes a pointer move on the model-updates topic when the configuration names Kafka, so
 * scorers elsewhere swap at once. On the embedded transport nobody else could hear it: scorers
 * sharing the registry directory see CURRENT change by themselves. Returns whether it was sent.
 */
export async function notifyModelUpdate(
  config: Config,
  update: ModelUpdate,
  logger?: Logger,
): Promise<boolean> {
  if (config.transport !== 'kafka') return false;
  const transport = createTransport(config, logger);
  try {
    await transport.ensureTopics([config.topics.modelUpdates]);
    const codec = await createCodec({
      schemaRegistryUrl: config.kafka.schemaRegistryUrl,
      schemaRegistryUsername: config.kafka.schemaRegistryUsername,
      schemaRegistryPassword: config.kafka.schemaRegistryPassword,
    });
    const sink = transport.sink();
    try {
      await modelUpdateSender(sink, codec, config.topics.modelUpdates.name)(update);
    } finally {
      await sink.close();
    }
    return true;
  } finally {
    await transport.close();
  }
}
