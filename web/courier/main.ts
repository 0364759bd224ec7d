// The courier client page (first cut): says whether this browser can reach a lock over Web Bluetooth.
const support = document.getElementById('support');
const bluetooth = (navigator as Navigator & { bluetooth?: unknown }).bluetooth;
if (support) support.textContent = bluetooth ? 'This browser supports Web Bluetooth.' : 'This browser has no Web Bluetooth (use Chrome on Android or desktop).';
