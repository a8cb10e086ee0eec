// The pages' only script of our own (the CSP forbids inline script): small conveniences on top of htmx.
document.addEventListener('htmx:afterRequest', (event) => {
  const form = event.detail.elt.closest && event.detail.elt.closest('form');
  // The question box empties after a question is answered, and the answer is scrolled into view.
  if (form && form.id === 'ask-form' && event.detail.successful) {
    form.reset();
    const transcript = document.getElementById('transcript');
    if (transcript && transcript.lastElementChild) transcript.lastElementChild.scrollIntoView({ block: 'nearest' });
  }
});
// A scheduled time is only needed when "定时发送" is chosen.
document.addEventListener('change', (event) => {
  const t = event.target;
  if (t && t.name === 'when' && t.form) t.form.querySelector('input[name="at"]').required = t.value === 'later';
});
