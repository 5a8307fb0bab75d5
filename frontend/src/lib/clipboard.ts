// Copying text: the async clipboard API where the page may use it, else a
// hidden textarea and execCommand('copy') (older WebKitGTK, plain http).

export interface ClipboardEnv {
  clipboard?: { writeText(text: string): Promise<void> };
  document?: Document;
}

function defaultEnv(): ClipboardEnv {
  return {
    clipboard: typeof navigator !== 'undefined' ? navigator.clipboard : undefined,
    document: typeof document !== 'undefined' ? document : undefined,
  };
}

/** copyText copies text and resolves whether it worked. */
export async function copyText(text: string, env: ClipboardEnv = defaultEnv()): Promise<boolean> {
  if (env.clipboard && typeof env.clipboard.writeText === 'function') {
    try {
      await env.clipboard.writeText(text);
      return true;
    } catch {
      // fall through to the textarea
    }
  }
  const doc = env.document;
  if (!doc) return false;
  const ta = doc.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.style.position = 'fixed';
  ta.style.opacity = '0';
  doc.body.appendChild(ta);
  ta.select();
  let ok = false;
  try {
    ok = doc.execCommand('copy');
  } catch {
    ok = false;
  }
  doc.body.removeChild(ta);
  return ok;
}
