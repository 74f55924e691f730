// Writing text into the page. The page's CSP forbids inline styles: presentation MUST go
// through classes in style.css, never style attributes.

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/** Sets an element's text, touching the DOM only when it changes. */
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/** Shows a message in an element, as an error or not; an empty message hides it. */
export function showMessage(el, text, isError = false) {
  setText(el, text);
  el.hidden = text === '';
  el.classList.toggle('error', isError);
  el.classList.toggle('muted', !isError);
}
