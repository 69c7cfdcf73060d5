import { render } from 'preact';
import { App } from './app';
import { interceptLinks } from './router';
import { defineSharedElements } from './shared/define';
import './styles.css';

interceptLinks();
// Before any plugin screen: the elements it may use are defined (their code loads on first use).
defineSharedElements();
render(<App />, document.getElementById('app')!);
