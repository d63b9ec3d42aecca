import { mount } from 'svelte';
import './app.css';
import './styles/lists.css';
import './styles/forms.css';
import App from './App.svelte';
import { api } from './lib/api';
import { applyLanguage, detectLanguage } from './lib/i18n.svelte';

async function start(): Promise<void> {
  const saved = await api.getLanguage();
  await applyLanguage(saved.ok && saved.data ? saved.data : detectLanguage(navigator.language));
  const target = document.getElementById('app');
  if (target) mount(App, { target });
}

void start();
