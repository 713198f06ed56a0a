import type { EngineChoice } from '../../values/engine-kind';
import type { EngineType } from '../host';

/**
 * The public `EngineType` enum spells the engine choices again because jsii needs an enum;
 * this fails to compile when the two differ, so a new engine kind cannot be left out of it.
 */
export const ENGINE_TYPE_MATCHES_ENGINE_CHOICES: SameSet<`${EngineType}`, EngineChoice> = true;

type SameSet<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
