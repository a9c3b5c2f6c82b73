// Sends a SAML message form on by itself; without JavaScript the visible button does the same.
document.querySelectorAll("form[data-autosubmit]").forEach(function (form) { form.submit(); });
