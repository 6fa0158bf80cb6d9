/**
 * zstd request bodies made with the zstd command-line tool (level 19), since Node 20 has no zstd
 * encoder: each decodes to `plainBody(api, stream)`. Regenerate with `zstd -19` on that body.
 */
export const ZSTD_BODIES: Record<string, string> = {
  'messages-blocking':
    'KLUv/QRoNQMAogcXF4CrDtRBNfFCGv+fTYxITKEghVKZkTggT/GYvQPa2hOAffdwcbqcju/x6TIy/DJOvym0Q6T3iNq9M/o2daSdOoxrFAzpfVc0Go1yRhZSkOLf001njGrL6Xamzk4BADMQqTMK5xzZbw==',
  'messages-streaming':
    'KLUv/QRoJQMAkocWEZB9Q8AGpo26RNwVloOR7o4hG21n8sGE8B1gb+1XGudy41f+lXN58PoWu/GHs7o+xu03Ze1HD4/rNR7V12s9jGLcyn/zpqyiBydiiPtSTiueYQWXG4fPZnQdAQAyEKkzCgOgLn8=',
  'chat-blocking':
    'KLUv/QRotQIAQgYTEpDPAVIzcuQLXXSz+76kKmdGmNfcJ8ggOscMJO7mKV9EJ6eQKYzo4ZO7npxdnLeFvHmdbn4P3O4o8nd40n54g+2JOASV6+SOU3y3AQEAHRCpMwpQycxD',
  'chat-streaming':
    'KLUv/QRonQIAMkYSEaDthR2DitnbWiMA6WaKgOrA1dSnt4Bb2wXSdm+EjtHJ5Vv5GD08bs+Tb+N4Wsh71ele97AzSnJ3Nsp+OHvMCR5CQnXytondaQEAHBCpMwqDiLbl',
  'responses-blocking':
    'KLUv/QRoHQIAUkQOEaDthedcSYDNWg1V/9CcgIph84cp6F1V4Oh76hq3OTmMja0HfVsQORd18D18scWih4AtnXz1NF8GAQAAEKkzCiJYyLY=',
  'responses-streaming':
    'KLUv/QRoFQIAQgQOEaDthedcibz2JACkmykCqgMD04cd7FpP4Py9u6ZrTAxjY8rh0UFiLXfwOVgxpWKHgA2ZeP2sWgYBAA9E6oQC5eAhlw==',
};

/** 8 MiB of zeros in 277 bytes, its frame declaring the 8 MiB window and content size (`zstd -19`). */
export const ZSTD_BOMB_DECLARED =
  'KLUv/aQAAIAATAAACAABAPz/ORACAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAADABAAD9/2YQ==';

/** 8 MiB of zeros in a 64 KiB window with no declared size, so only the decoded count stops it. */
export const ZSTD_BOMB_STREAMED =
  'KLUv/QQwVAAAEAAAAQD7fx1gAQIACAACAAgAAgAIAAIACAACAAgAAgAIAAIACAACAAgAAgAIAAIACAACAAgAAgAIAAIACAACAAgAAgAIAEwAAAgAAQD8f3QnBAIACAACAAgAAgAIAAIACAACAAgAAgAIAAIACAACAAgAAgAIAAIACAACAAgAAgAIAAIACAACAAgAAgAIAEwAAAgAAQD8f3QnBAIACAACAAgAAgAIAAIACAACAAgAAgAIAAIACAACAAgAAgAIAAIACAACAAgAAgAIAAIACAACAAgAAgAIAEwAAAgAAQD8f3QnBAIACAACAAgAAgAIAAIACAACAAgAAgAIAAIACAACAAgAAgAIAAIACAACAAgAAgAIAAIACAACAAgAAgAIAEwAAAgAAQD8f3QnBAIACAACAAgAAgAIAAIACAACAAgAAgAIAAIACAACAAgAAgAIAAIACAACAAgAAgAIAAIACAACAAgAAgAIAEwAAAgAAQD8f3QnBAIACAACAAgAAgAIAAIACAACAAgAAgAIAAIACAACAAgAAgAIAAIACAACAAgAAgAIAAIACAACAAgAAgAIAEwAAAgAAQD8f3QnBAIACAACAAgAAgAIAAIACAACAAgAAgAIAAIACAACAAgAAgAIAAIACAACAAgAAgAIAAIACAACAAgAAgAIAEwAAAgAAQD8f3QnBAIACAACAAgAAgAIAAIACAACAAgAAgAIAAIACAACAAgAAgAIAAIACAACAAgAAgAIAAIACAACAAgAAgAIAAEAAA/f9mE=';

/** The API each body is for, as the compression tests name them. */
export type BodyApi = 'messages' | 'chat' | 'responses';

/** The prompt in every compressed test body. */
export const COMPRESSED_PROMPT = `${'compressed hello '.repeat(20)}end`;

/** The JSON body that `ZSTD_BODIES[`${api}-${blocking|streaming}`]` decodes to. */
export function plainBody(api: BodyApi, stream: boolean): string {
  if (api === 'messages') {
    return JSON.stringify({
      model: 'claude-sonnet-4-5',
      max_tokens: 64,
      stream,
      messages: [{ role: 'user', content: COMPRESSED_PROMPT }],
    });
  }
  if (api === 'chat') {
    return JSON.stringify({
      model: 'gpt-4o-mini',
      stream,
      messages: [{ role: 'user', content: COMPRESSED_PROMPT }],
    });
  }
  return JSON.stringify({ model: 'gpt-4o-mini', stream, input: COMPRESSED_PROMPT });
}
