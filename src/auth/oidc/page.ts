/** Escapes text for HTML. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The small page a browser sees when a sign-in fails at the callback (it arrives by a
 * redirect from the identity provider, so there is no dashboard around it to show an error).
 */
export function signInErrorPage(message: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign-in failed · aibridge</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1rem;color:#1f2328}
@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}a{color:#58a6ff}}</style></head>
<body><main><h1>Sign-in failed</h1><p role="alert">${escapeHtml(message)}</p>
<p><a href="/signin">Back to sign-in</a></p></main></body></html>
`;
}
