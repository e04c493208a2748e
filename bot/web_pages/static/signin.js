// Opening a sign-in link shows a form; submit it at once (a link preview never runs this).
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("signin");
  if (form) { form.submit(); }
});
