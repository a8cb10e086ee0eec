// Configuration comes from the environment; a bad value must stop the service with one line
// that names the variable, rather than start on a wrong port or segmenter.
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../src/config.js';

function configError(env: Record<string, string>): ConfigError {
  try {
    readConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be rejected`);
}

describe('readConfig', () => {
  it('uses the documented defaults', () => {
    const config = readConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.HOST).toBe('127.0.0.1');
    expect(config.DB_PATH).toBe('./data/bot.db');
  });

  it('reads the values it is given', () => {
    const config = readConfig({ PORT: '8080', HOST: '0.0.0.0', DB_PATH: '/var/lib/bot/bot.db' });
    expect([config.PORT, config.HOST, config.DB_PATH]).toEqual([8080, '0.0.0.0', '/var/lib/bot/bot.db']);
  });

  it('rejects PORT=abc naming PORT, on one line', () => {
    const { message } = configError({ PORT: 'abc' });
    expect(message).toContain('PORT');
    expect(message).not.toContain('\n');
  });

  it('rejects an unknown segmenter', () => {
    expect(configError({ SEGMENTER: 'foo' }).message).toContain('SEGMENTER');
  });
});
