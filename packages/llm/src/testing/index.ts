export {
  contentText,
  defaultAnswerText,
  readConversation,
  splitTokens,
  sseFrame,
  startSimulatorServer,
  type Fault,
  type FaultType,
  type ParsedCall,
  type RecordedRequest,
  type SimulatedAnswer,
  type SimulatedErrorKind,
  type SimulatedResponse,
  type Simulator,
  type SimulatorDialect,
  type SimulatorOptions,
} from './simulator-server.js';
export { openAIDialect, startOpenAISimulator } from './openai-simulator.js';
export { continueInstruction } from '../continuation.js';
