import { defineScreen } from '../../../web-kit/elements';
import { ProductEditor } from './parts/product-editor';

defineScreen('shop-product-editor', ProductEditor);
