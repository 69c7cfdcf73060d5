import { defineScreen } from '../../../web-kit/elements';
import { SiteEditor } from './parts/editor-screen';

defineScreen('bio-site-editor', SiteEditor);
