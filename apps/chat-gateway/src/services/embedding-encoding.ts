/** A vector as OpenAI's `encoding_format: base64`: the bytes of its little-endian float32 values. */
export function toBase64Float32(vector: readonly number[]): string {
  const buffer = Buffer.allocUnsafe(vector.length * 4);
  for (let index = 0; index < vector.length; index += 1) buffer.writeFloatLE(vector[index]!, index * 4);
  return buffer.toString('base64');
}
